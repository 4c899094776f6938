import datetime as dt

from ecosystem.loading import read_entities_csv
from ecosystem.quality import likely_duplicates, not_verified, outside_commune, to_review, without_tags
from tests.conftest import make_raw, make_row


def test_quality_lists_point_at_the_right_entities():
    raw = make_raw(
        make_row(id="a", name="Alpha Biotech", website="https://alpha.example", verified="2024-01-10"),
        make_row(id="b", name="Alpha Biotech SA", website="https://beta.example", status="to_review",
                 review_note="adresse ancienne"),
        make_row(id="c", name="Gamma", website="https://www.alpha.example/contact", roles=""),
        make_row(id="d", name="Delta", commune_code="94076", lat="48.623745", lon="2.429457"),  # not in Villejuif
        make_row(id="e", name="Epsilon — site de Villejuif", website="https://eps.example", commune_code="94076",
                 lat="48.793616", lon="2.358172"),
        make_row(id="f", name="Epsilon — site d'Évry", website="https://eps.example", verified="2026-11-01"),
        make_row(id="g", name="Zeta", website="https://zeta.example", siren="552032534", verified="2026-11-01"),
        make_row(id="h", name="Zeta Bis", website="https://zeta2.example", siren="552032534",
                 verified="2026-11-01"),
    )
    assert list(to_review(raw)["id"]) == ["b"] and to_review(raw)["detail"].iloc[0] == "adresse ancienne"
    # never verified first, then the oldest verification; recently verified rows are not listed
    assert list(not_verified(raw, 12, today=dt.date(2026, 11, 22))["id"]) == ["b", "c", "d", "e", "a"]
    assert list(without_tags(raw)["id"]) == ["c"]
    assert list(outside_commune(raw)["id"]) == ["d"]
    pairs = {(row.id, row.other_id): row.detail for row in likely_duplicates(raw).itertuples()}
    # near-identical names; same domain; same SIREN; sites of one group: no
    assert pairs.keys() == {("a", "b"), ("a", "c"), ("g", "h")}
    assert pairs[("a", "c")] == "même site web (alpha.example)" and pairs[("g", "h")] == "même SIREN (552032534)"


def test_the_shipped_data_has_no_point_outside_its_commune_nor_untagged_rows():
    raw = read_entities_csv()
    assert outside_commune(raw).empty and without_tags(raw).empty
