#!/usr/bin/env python3
"""The ONNX checker over exported models: onnx.checker.check_model(model, full_check=True), which also
runs strict shape inference, on every file named on the command line and every *.onnx file in every
directory named.

  check-onnx.py FILE_OR_DIR...          e.g. check-onnx.py engine-models/target/onnx engine-cli/target/onnx

Prints one line per file: "ok FILE (IR v, opset o, method m)" or "FAILED FILE: reason". Exits 1 if any
file fails; 2 without arguments, for a directory that holds no .onnx file (the tests that should have
written there did not run, and nothing checked must not pass), or without the onnx package (Debian:
apt-get install python3-onnx, which installs it for /usr/bin/python3, not for a pyenv or virtualenv
python3 earlier on the PATH). OnnxExportTest and engine-cli's OnnxExportCommandTest write their models
into engine-models/target/onnx/ and engine-cli/target/onnx/ for this check.
"""

import pathlib
import sys

try:
    import onnx
except ImportError:
    print("check-onnx.py needs the onnx package (Debian: apt-get install python3-onnx)", file=sys.stderr)
    sys.exit(2)


def check(path):
    """Loads and checks one file; returns the line to print and whether it passed."""
    try:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # the checker, the loader and the file system each raise their own types
        reason = " ".join(str(e).split()) or type(e).__name__
        return f"FAILED {path}: {reason}", False
    opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
    meta = {p.key: p.value for p in model.metadata_props}
    method = meta.get("method", "?")
    return f"ok {path} (IR {model.ir_version}, opset {opsets}, method {method})", True


def files(argv):
    """The files to check, in order: each argument, or a directory's *.onnx files sorted; None, with a
    message, when a directory holds none."""
    paths = []
    for arg in argv:
        p = pathlib.Path(arg)
        if p.is_dir():
            found = sorted(str(f) for f in p.glob("*.onnx"))
            if not found:
                print(f"check-onnx.py: no .onnx file in {arg}", file=sys.stderr)
                return None
            paths += found
        else:
            paths.append(arg)
    return paths


def main(argv):
    if not argv:
        print("usage: check-onnx.py FILE_OR_DIR...", file=sys.stderr)
        return 2
    paths = files(argv)
    if paths is None:
        return 2
    failed = 0
    for path in paths:
        line, ok = check(path)
        print(line, flush=True)
        failed += not ok
    if failed:
        print(f"{failed} of {len(paths)} files failed the ONNX checker", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
