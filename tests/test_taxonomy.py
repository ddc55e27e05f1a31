"""The category taxonomy: every spelling of a section is one category."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicator.errors import ConfigError
from syndicator.model import Category
from syndicator.normalize.taxonomy import Taxonomy, load_taxonomy

SHIPPED = Path(__file__).resolve().parents[1] / "config" / "taxonomy.toml"
SCHEME = "https://news.example.org/sections/"


@pytest.fixture(scope="module")
def shipped() -> Taxonomy:
    return load_taxonomy(SHIPPED)


@pytest.mark.parametrize("label", ["MONDE", "monde", "Monde", " monde ", "International"])
def test_spellings_of_a_known_section_map_to_one_category(shipped: Taxonomy, label: str) -> None:
    assert shipped.categorize(label) == Category("monde", "Monde", SCHEME)


@pytest.mark.parametrize("label", ["Économie", "ECONOMIE", "economy", "Business", "economía"])
def test_aliases_and_accents_map_to_the_term(shipped: Taxonomy, label: str) -> None:
    assert shipped.categorize(label) == Category("economie", "Économie", SCHEME)


def test_unknown_label_is_slugged_and_tidied(shipped: Taxonomy) -> None:
    assert shipped.categorize("VIE LOCALE") == Category("vie-locale", "Vie locale", SCHEME)


def test_mixed_case_label_is_kept_as_written() -> None:
    assert Taxonomy().categorize("iPhone") == Category("iphone", "iPhone", None)


def test_label_without_letters_is_no_category() -> None:
    assert Taxonomy().categorize("!!!") is None
    assert Taxonomy().categorize("") is None


def test_empty_taxonomy_still_folds_case() -> None:
    taxonomy = Taxonomy()
    assert taxonomy.categorize("MONDE") == taxonomy.categorize("monde") == Category("monde", "Monde")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_category_scheme_overrides_the_default(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(
        write(
            tmp_path,
            'scheme = "https://a.example/"\n'
            '[categories.sport]\nlabel = "Sport"\nscheme = "https://b.example/"\n',
        )
    )
    assert taxonomy.categorize("sport") == Category("sport", "Sport", "https://b.example/")


def error(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_taxonomy(path)
    assert info.value.path == str(path)
    return info.value


def test_term_must_be_a_slug(tmp_path: Path) -> None:
    e = error(tmp_path, '[categories.Monde]\nlabel = "Monde"\n')
    assert e.key == "categories.Monde"
    assert "'monde'" in e.message


def test_category_needs_a_label(tmp_path: Path) -> None:
    assert error(tmp_path, "[categories.monde]\naliases = []\n").key == "categories.monde.label"


def test_aliases_must_be_a_list_not_a_string(tmp_path: Path) -> None:
    e = error(tmp_path, '[categories.tech]\nlabel = "Tech"\naliases = "technology"\n')
    assert e.key == "categories.tech.aliases"


def test_alias_must_be_a_string(tmp_path: Path) -> None:
    e = error(tmp_path, '[categories.tech]\nlabel = "Tech"\naliases = [3]\n')
    assert e.key == "categories.tech.aliases"


def test_unknown_key_in_a_category_suggests_the_nearest(tmp_path: Path) -> None:
    e = error(tmp_path, '[categories.tech]\nlabel = "Tech"\nalias = ["it"]\n')
    assert e.key == "categories.tech.alias"
    assert "did you mean 'aliases'" in e.message


def test_unknown_top_level_key_is_an_error(tmp_path: Path) -> None:
    assert error(tmp_path, 'shceme = "https://a.example/"\n').key == "shceme"


def test_scheme_must_be_a_string(tmp_path: Path) -> None:
    assert error(tmp_path, "scheme = 3\n").key == "scheme"


def test_not_toml_is_a_config_error(tmp_path: Path) -> None:
    assert "not valid TOML" in error(tmp_path, "[categories\n").message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_taxonomy(tmp_path / "absent.toml")
