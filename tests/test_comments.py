"""Sources of inputs: the comments of a site file by TOML path, read by lines beside the TOML parser."""

import tomllib

from planner.spec.comments import comment_for, toml_comments

TEXT = '''# file header, above a table: no value's source
[site]
name = "A # not a comment"   # the name
grid_limit = "18 MW"  # gross site power [S] utility letter

# the price of the year
# in two lines
price = "3 USD"
plain = 1

[climate]
monthly = [
  "1 degC",  # January, inside the array: passed over
  "2 degC",
]  # closing line
after = "5 K"   # after the array
note = """a
# not a comment
"""
dotted.key = 2  # a dotted key

[[layouts]]
x = 1  # first
[[layouts]]
x = 2  # second
'''


def test_comments_by_path(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text(TEXT)
    tomllib.loads(TEXT)  # the example is valid TOML
    c = toml_comments(path)
    assert c["site.name"] == "the name"
    assert c["site.grid_limit"] == "gross site power [S] utility letter"
    assert c["site.price"] == "the price of the year in two lines"
    assert "site.plain" not in c
    assert "climate.monthly" not in c and c["climate.after"] == "after the array"
    assert "climate.note" not in c and c["climate.dotted.key"] == "a dotted key"
    assert c["layouts[0].x"] == "first" and c["layouts[1].x"] == "second"
    assert comment_for(c, "site.grid_limit") == c["site.grid_limit"]
    c["climate.monthly"] = "normals"
    assert comment_for(c, "climate.monthly[3]") == "normals" and comment_for(c, "site.nothing") == ""


def test_an_unreadable_file_has_no_comments(tmp_path):
    assert toml_comments(tmp_path / "missing.toml") == {}
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe\x00")
    assert toml_comments(tmp_path / "bin.toml") == {}
