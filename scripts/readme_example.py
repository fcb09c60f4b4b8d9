#!/usr/bin/env python3
"""README.md's Java example is the code of the consumer project examples/embedding, which CI builds and
runs: the lines between `// readme:begin` and `// readme:end` of Embedding.java, de-indented, are the
block between README's `<!-- embedding-example:begin -->` and `<!-- embedding-example:end -->`.

  scripts/readme_example.py          exit 1 with a diff when they differ (CI)
  scripts/readme_example.py --write  copy the example's lines into README.md
"""
import difflib
import pathlib
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT / "examples/embedding/src/main/java/example/Embedding.java"
README = ROOT / "README.md"
BEGIN, END = "<!-- embedding-example:begin -->", "<!-- embedding-example:end -->"


def between(lines, begin, end, where):
    starts = [i for i, line in enumerate(lines) if line.strip() == begin]
    ends = [i for i, line in enumerate(lines) if line.strip() == end]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        sys.exit(f"{where}: expected one '{begin}' line followed by one '{end}' line")
    return starts[0], ends[0]


def main():
    code = SOURCE.read_text(encoding="utf-8").splitlines()
    b, e = between(code, "// readme:begin", "// readme:end", SOURCE.relative_to(ROOT))
    block = ["```java"] + textwrap.dedent("\n".join(code[b + 1:e])).splitlines() + ["```"]
    readme = README.read_text(encoding="utf-8").splitlines()
    rb, re_ = between(readme, BEGIN, END, "README.md")
    current = readme[rb + 1:re_]
    if current == block:
        return 0
    if "--write" in sys.argv[1:]:
        tmp = README.with_name("README.md.tmp")
        tmp.write_text("\n".join(readme[:rb + 1] + block + readme[re_:]) + "\n", encoding="utf-8")
        tmp.replace(README)
        print("README.md: example updated from", SOURCE.relative_to(ROOT))
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        [line + "\n" for line in current], [line + "\n" for line in block],
        "README.md (example block)", str(SOURCE.relative_to(ROOT))))
    print("README.md's example differs from the consumer project's code; "
          "run scripts/readme_example.py --write", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
