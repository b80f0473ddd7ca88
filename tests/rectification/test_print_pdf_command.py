import pytest
from django.core.management import CommandError, call_command

from rectification import pdfs

from .factories import ItemFactory, ProblemFactory


@pytest.mark.parametrize(("what", "pages"), [("cards", 2), ("list", 1), ("ledger", 1)])
def test_it_writes_each_pdf(meeting, yang, tmp_path, what, pages, capsys):
    ProblemFactory(meeting=meeting, member=yang)
    ItemFactory(responsible=yang, meeting=meeting)
    out = tmp_path / f"{what}.pdf"
    call_command("print_pdf", what, "--branch", "水阜镇机关党支部", "-o", str(out))
    assert pdfs.page_count(out.read_bytes()) == pages
    assert f"{pages} 页" in capsys.readouterr().out


def test_it_explains_an_unknown_branch(demo_orgs, tmp_path):
    with pytest.raises(CommandError, match="找不到党支部"):
        call_command("print_pdf", "cards", "--branch", "不存在的支部", "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_it_explains_a_branch_without_problems(demo_orgs, tmp_path):
    with pytest.raises(CommandError, match="还没有问题清单"):
        call_command("print_pdf", "cards", "--branch", "燕儿坪村党支部", "-o", str(tmp_path / "x.pdf"))
