# syntax=docker/dockerfile:1
# Build: docker build -t x12gw .    Run: docker run -p 8000:8000 x12gw  (add -e DATABASE_URL=... for your own PostgreSQL)
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY parsers ./parsers
COPY transactions ./transactions
COPY schemas ./schemas
COPY gateway ./gateway
RUN pip install --no-cache-dir --upgrade pip && pip install --no-cache-dir .

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 x12gw
COPY --from=build /opt/venv /opt/venv
COPY fixtures /app/fixtures
COPY migrations /app/migrations
COPY alembic.ini /app/alembic.ini
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    X12GW_DATA_DIR=/home/x12gw/data
# DATABASE_URL comes from the environment at run time; without it the embedded store is used.
WORKDIR /app
USER x12gw
EXPOSE 8000
ENTRYPOINT ["x12gw"]
# the gateway on the embedded store with the demo partner and files; keys are printed
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--demo"]
