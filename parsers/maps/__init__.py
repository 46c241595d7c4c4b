"""TR3 maps: pyx12's shipped 5010 maps plus the ones this project authors (``*.xml`` here)."""
