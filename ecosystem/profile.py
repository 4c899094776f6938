"""An entity's profile card as HTML: every value escaped, tags as badges, description in the page's language."""

from __future__ import annotations

from html import escape

import pandas as pd

from ecosystem.i18n import date_text, number, t
from ecosystem.proximity import position_is_vague
from ecosystem.schema import TAG_FACETS
from ecosystem.text import website_domain
from ecosystem.vocabulary import load_vocabulary

PROFILE_CSS = """
<style>
.profile { scroll-margin-top: 4.5rem; }
.profile h3 { margin: 0 0 .2rem 0; } .profile .meta { color: #555; margin-bottom: .5rem; }
.profile .badges { margin: .15rem 0 .5rem 0; } .profile .facet { font-size: .8rem; color: #666; margin-top: .4rem; }
.profile .badge { display: inline-block; padding: 1px 8px; margin: 2px 3px 2px 0; border-radius: 10px;
  background: #e8f1ee; color: #0b4f3a; font-size: .82rem; }
.profile .review { background: #fff4e5; border-left: 3px solid #e69f00; padding: 4px 8px; margin: .4rem 0; }
.profile dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 10px; font-size: .88rem; }
.profile dt { color: #666; } .profile dd { margin: 0; overflow-wrap: anywhere; }
</style>
"""


def _link(url: str, text: str = "") -> str:
    """A link opening in a new tab, reading `text` (the address itself by default; the full address is always in
    its tooltip). Anything but an http(s) address is shown as text, never as a link."""
    if not url.lower().startswith(("http://", "https://")):
        return escape(url)
    return (f'<a href="{escape(url)}" title="{escape(url)}" target="_blank" rel="noopener noreferrer">'
            f'{escape(text or url)}</a>')


def _sources(value: str) -> str:
    """Source pages by the site they are on ("genopole.fr", "boursorama.com · 2"): a list of long addresses was
    unreadable, one letter per line on a phone."""
    seen: dict[str, int] = {}
    links = []
    for url in (part.strip() for part in str(value or "").split("|")):
        if not url:
            continue
        site = website_domain(url) or url
        seen[site] = seen.get(site, 0) + 1
        links.append(_link(url, site if seen[site] == 1 else f"{site} · {seen[site]}"))
    return "<br>".join(links)


def _count(value, lang: str) -> str:
    """A whole number as `lang` writes it ("1 200"); a text that is no number as it is."""
    try:
        return number(int(float(value)), lang)
    except (TypeError, ValueError):
        return str(value)


def profile_html(entity: pd.Series, lang: str, correction_url: str = "") -> str:
    vocabulary = load_vocabulary()
    label = lambda facet, key: escape(vocabulary.label(facet, key, lang))  # noqa: E731
    description = entity.get(f"description_{lang}") or entity.get("description_fr") or ""
    parts = [PROFILE_CSS, "<div class='profile'>",
             f"<h3>{escape(entity['name'])}</h3>",
             "<div class='meta'>" + " · ".join(filter(None, [
                 label("kind", entity["kind"]), label("category", entity["category"]) if entity["category"] else "",
                 escape(str(entity.get("commune_name") or entity.get("city") or ""))])) + "</div>"]
    if description:
        parts.append(f"<p>{escape(description)}</p>")
    if entity.get("status") == "to_review":
        note = (t("label_value", lang, label=t("field_review_note", lang), value=entity["review_note"])
                if entity.get("review_note") else t("field_review_note", lang))
        parts.append(f"<div class='review'>{escape(note)}</div>")
    for facet in TAG_FACETS:
        if entity[facet]:
            badges = "".join(f"<span class='badge'>{label(facet, key)}</span>" for key in entity[facet])
            parts.append(f"<div class='facet'>{escape(t('facet_' + facet, lang))}</div>"
                         f"<div class='badges'>{badges}</div>")
    fields = [
        ("website", _link(entity.get("website") or "", website_domain(entity.get("website") or ""))),
        ("field_address", escape(" ".join(filter(None, [entity.get("address"), entity.get("postcode"),
                                                         entity.get("city")])))),
        ("field_founded", escape("" if pd.isna(entity.get("founded")) else str(entity.get("founded")))),  # a year
        ("field_workforce", escape("" if pd.isna(entity.get("workforce")) else _count(entity.get("workforce"), lang))),
        ("field_precision", escape(t("precision_paris", lang)) if position_is_vague(entity)
         else label("geo_precision", entity["geo_precision"])),
        ("field_source", _sources(entity.get("source"))),
        ("field_updated", escape(date_text(entity.get("updated"), lang))),
        ("field_verified", escape(date_text(entity.get("verified"), lang))),
        ("field_siren", escape(str(entity.get("siren") or ""))),
        ("field_unit_code", escape(" · ".join(filter(None, [str(entity.get("unit_code") or ""),
                                                           str(entity.get("rnsr") or "")])))),
    ]
    parts.append("<dl>" + "".join(f"<dt>{escape(t(key, lang))}</dt><dd>{value}</dd>"
                                  for key, value in fields if value) + "</dl>")
    if correction_url:
        parts.append(f"<p><a href='{escape(correction_url)}' target='_self'>"
                     f"{escape(t('suggest_correction', lang))}</a></p>")
    parts.append("</div>")
    return "".join(parts)
