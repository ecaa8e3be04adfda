"""A PDF/UA structure check for every PDF a person may be given (issue 23): it walks the PDF's
structure tree with pikepdf and reads every piece of text's size from the content streams, and
names each problem it finds:

- no language, or no title (or the title not shown in place of the file name);
- a Figure without alternative text;
- a table header cell without a Scope, or a data cell naming a header that is not in the IDTree;
- not exactly one H1, a heading level skipped (an H3 straight after an H1), a heading inside a
  heading;
- a list item that is not a list's child, or a list whose children are not list items;
- text smaller than `min_points` anywhere, the running header and footer included.

veraPDF would check more (the Matterhorn protocol), but does not install here from the
registries we use; this covers what issue 23 found wrong.
"""

import io
import math

import pikepdf

HEADINGS = {f"/H{n}": n for n in range(1, 7)}


def pdf_ua_problems(data: bytes, *, min_points: float) -> list[str]:
    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        if not str(root.get("/Lang", "")):
            problems.append("No language (/Lang)")
        if not str(pdf.docinfo.get("/Title", "")):
            problems.append("No title")
        if not root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False):
            problems.append("The title is not shown in place of the file name")
        if "/StructTreeRoot" not in root:
            return [*problems, "Not tagged: no structure tree"]
        tree = root.StructTreeRoot
        ids = _id_tree(tree)
        headings = []
        _walk(tree, None, [], problems, headings, ids)
        h1s = sum(1 for level in headings if level == 1)
        if h1s != 1:
            problems.append(f"{h1s} H1 headings, not one")
        previous = 0
        for level in headings:
            if level > previous + 1:
                problems.append(f"Heading level skipped: H{previous} then H{level}")
            previous = level
        for number, page in enumerate(pdf.pages, start=1):
            smallest = min(_text_sizes(page), default=None)
            if smallest is not None and smallest < min_points - 0.05:
                problems.append(f"Text of {smallest:.1f} pt on page {number}, below {min_points}")
    return problems


def structure_tags(data: bytes) -> list[str]:
    """Every structure element's type, in reading order (for tests that look for one)."""
    found = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(str(node.S))
        for kid in _kids(node):
            walk(kid)

    with pikepdf.open(io.BytesIO(data)) as pdf:
        walk(pdf.Root.StructTreeRoot)
    return found


def _kids(node):
    if not isinstance(node, pikepdf.Dictionary):
        return []
    k = node.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _id_tree(tree) -> set[str]:
    ids = set()

    def walk(node):
        names = node.get("/Names")
        if names is not None:
            ids.update(str(names[i]) for i in range(0, len(names), 2))
        for kid in node.get("/Kids", []):
            walk(kid)

    if "/IDTree" in tree:
        walk(tree.IDTree)
    return ids


def _walk(node, parent_type, ancestors, problems, headings, ids):
    if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
        for kid in _kids(node):
            _walk(kid, parent_type, ancestors, problems, headings, ids)
        return
    kind = str(node.S)
    attributes = node.get("/A", {})
    if kind == "/Figure" and not str(node.get("/Alt", "")).strip():
        problems.append("A figure without alternative text")
    if kind == "/TH" and "/Scope" not in attributes:
        problems.append("A table header cell without a Scope")
    if kind == "/TD":
        for header in attributes.get("/Headers", []):
            if str(header) not in ids:
                problems.append(f"A cell's header {header} is not in the IDTree")
    if kind in HEADINGS:
        if any(a in HEADINGS for a in ancestors):
            problems.append(f"A {kind[1:]} inside a heading")
        headings.append(HEADINGS[kind])
    if kind == "/LI" and parent_type != "/L":
        problems.append(f"A list item inside {parent_type}, not a list")
    if kind == "/L":
        for kid in _kids(node):
            if isinstance(kid, pikepdf.Dictionary) and str(kid.get("/S")) not in ("/LI", "/L"):
                problems.append(f"A list holding {kid.get('/S')}, not list items")
    for kid in _kids(node):
        _walk(kid, kind, [*ancestors, kind], problems, headings, ids)


def _text_sizes(page):
    """The size in points of each run of text drawn on `page`: the font size times the scale
    of the text matrix and the graphics state's matrix."""
    ctm, stack = pikepdf.Matrix(), []
    tm = line = pikepdf.Matrix()
    size, leading, invisible = 0.0, 0.0, False
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else pikepdf.Matrix()
        elif op == "cm":
            ctm = pikepdf.Matrix(*map(float, operands)) @ ctm
        elif op == "BT":
            tm = line = pikepdf.Matrix()
        elif op == "Tm":
            tm = line = pikepdf.Matrix(*map(float, operands))
        elif op in ("Td", "TD"):
            tx, ty = map(float, operands)
            line = pikepdf.Matrix(1, 0, 0, 1, tx, ty) @ line
            tm = line
            if op == "TD":
                leading = -ty
        elif op == "T*":
            line = pikepdf.Matrix(1, 0, 0, 1, 0, -leading) @ line
            tm = line
        elif op == "TL":
            leading = float(operands[0])
        elif op == "Tf":
            size = float(operands[1])
        elif op == "Tr":
            invisible = int(operands[0]) == 3
        elif op in ("Tj", "TJ", "'", '"') and not invisible:
            m = tm @ ctm
            yield abs(size) * math.sqrt(abs(m.a * m.d - m.b * m.c))
