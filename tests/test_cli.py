"""The x12gw command line: validate, parse, ack, demo."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.cli import run
from parsers import parse
from tests.x12 import claim, file_837


@dataclass
class Result:
    exit_code: int
    output: str


class _Runner:
    def invoke(self, _app: object, argv: list[str]) -> Result:
        out = io.StringIO()
        try:
            code = run(argv, out)
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        return Result(code, out.getvalue())


runner = _Runner()
app = None


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


GOOD = file_837([claim("A1", ["100*99213"])])
BAD = GOOD.replace(b"SE*", b"SE*99*")


def test_validate_exit_codes_and_text(tmp_path: Path) -> None:
    good = write(tmp_path, "good.837", GOOD)
    bad = write(tmp_path, "bad.837", BAD)
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 0 and "valid - 0 error(s)" in result.output
    result = runner.invoke(app, ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert "[se.count]" in result.output


def test_validate_json_and_strict(tmp_path: Path) -> None:
    bom = write(tmp_path, "bom.837", b"\xef\xbb\xbf" + GOOD)
    result = runner.invoke(app, ["validate", "--json", str(bom)])
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report[0]["valid"] is True
    assert report[0]["findings"][0]["code"] == "repair.bom"
    assert report[0]["findings"][0]["severity"] == "warning"
    result = runner.invoke(app, ["validate", "--strict", "--json", str(bom)])
    assert result.exit_code == 1
    assert json.loads(result.output)[0]["findings"][0]["severity"] == "error"


def test_findings_carry_no_element_values(tmp_path: Path) -> None:
    data = GOOD.replace(b"SBR*P*18", b"SBR*Q*18").replace(b"DOE*JANE", b"ZEBRAFISH*JANE")
    path = write(tmp_path, "phi.837", data)
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 1
    assert "ZEBRAFISH" not in result.output and "MEM001" not in result.output
    assert '"value"' not in result.output


def test_parse_json_has_loops_and_element_references(tmp_path: Path) -> None:
    path = write(tmp_path, "good.837", GOOD)
    result = runner.invoke(app, ["parse", "--json", str(path)])
    assert result.exit_code == 0
    out = json.loads(result.output)
    assert out[0]["type"] == "837P" and out[0]["guide"] == "005010X222A1"
    text = json.dumps(out[0]["tree"])
    assert '"loop": "2300"' in text and '"CLM01": "A1"' in text
    result = runner.invoke(app, ["parse", str(path)])
    assert "[2300]" in result.output and "CLM01=A1" in result.output


def test_ack_prints_valid_acknowledgments(tmp_path: Path) -> None:
    path = write(tmp_path, "good.837", GOOD)
    result = runner.invoke(app, ["ack", str(path)])
    assert result.exit_code == 0
    doc = parse(result.output.encode())
    assert doc.all_findings() == []
    assert [ts.guide.name for ts in doc.transactions if ts.guide] == ["999", "277CA"]
    result = runner.invoke(app, ["ack", "--json", str(path)])
    summary = json.loads(result.output)
    assert summary["interchanges"][0]["claims"] == {"accepted": 1, "rejected": 0}


def test_demo_reads_the_bundled_files() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0
    assert "error" not in result.output
    assert result.output.count("valid") >= 10


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        run(["validate", str(tmp_path / "missing.837")], io.StringIO())
    assert exc.value.code == 2


def test_parallel_validation_gives_the_same_findings(tmp_path: Path) -> None:
    from tests.test_streaming import big_file

    data = (
        big_file(4, 40)
        .replace(b"CLM*C2-3*150", b"CLM*C2-3*151")
        .replace(b"SBR*P*18", b"SBR*Q*18", 1)
    )
    path = write(tmp_path, "big.837", data)
    one = runner.invoke(app, ["validate", "--json", "--workers", "1", str(path)])
    two = runner.invoke(app, ["validate", "--json", "--workers", "2", str(path)])
    assert one.exit_code == two.exit_code == 1
    assert json.loads(one.output) == json.loads(two.output)
    codes = {f["code"] for f in json.loads(two.output)[0]["findings"]}
    assert {"claim.unbalanced", "element.invalid_code"} <= codes
