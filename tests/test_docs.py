"""The documents that describe code stay in step with it."""

from __future__ import annotations

from pathlib import Path

from data_access.contract import FILE_SPECS

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_data_contract_document_describes_every_column():
    text = (DOCS / "data-contract.md").read_text(encoding="utf-8")
    for spec in FILE_SPECS:
        section = text.split(f"### `{spec.name}`", 1)
        assert len(section) == 2, f"no section for {spec.name}"
        body = section[1].split("### ", 1)[0]
        for column in spec.columns:
            assert f"| `{column.name}` | {'yes' if column.required else 'no'} |" in body, \
                f"{spec.name}: {column.name} is not described (or its 'required' is wrong)"
