"""Altair charts for the breakdowns: sorted, labelled with their counts, readable on a projector.

Colours come from colour-blind-safe palettes (Okabe-Ito blue for bars, the sequential "blues" scheme for
heatmaps). Charts are built from the tables of `ecosystem.stats`, which are also what the CSV downloads hold.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ecosystem.i18n import locale

BAR_COLOUR = "#0072B2"
FONT_SIZE = 14
COUNT_FORMAT = ",d"  # whole numbers, grouped by thousands with the language's separator


def _in_language(chart: alt.TopLevelMixin, lang: str) -> alt.TopLevelMixin:
    """The chart's numbers written as `lang` writes them ("1 285", "1,285"): d3's number conventions (Vega-Lite's
    `config.locale`) taken from the same CLDR data as the rest of the interface (Babel)."""
    symbols = locale(lang).number_symbols["latn"]
    return chart.configure(locale={"number": {"decimal": symbols["decimal"], "thousands": symbols["group"],
                                              "grouping": [3], "currency": ["", ""]}})


def bar_chart(counts: pd.DataFrame, count_title: str, lang: str = "fr") -> alt.Chart:
    """Horizontal bars, largest first, each labelled with its count. `counts`: key, label, count."""
    # One sort shared by both layers (a "-x" sort per layer conflicts once layered) and one band per value.
    order = alt.EncodingSortField(field="count", op="sum", order="descending")
    base = alt.Chart(counts).encode(
        y=alt.Y("label:N", sort=order, title=None,
                axis=alt.Axis(labelLimit=360, labelFontSize=FONT_SIZE, labelOverlap=False)),
        x=alt.X("count:Q", title=count_title, axis=alt.Axis(tickMinStep=1, labelFontSize=FONT_SIZE - 2,
                                                           titleFontSize=FONT_SIZE, format=COUNT_FORMAT)),
        tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("count:Q", title=count_title, format=COUNT_FORMAT)],
    )
    bars = base.mark_bar(color=BAR_COLOUR)
    labels = base.mark_text(align="left", dx=4, fontSize=FONT_SIZE).encode(
        text=alt.Text("count:Q", format=COUNT_FORMAT))
    return _in_language((bars + labels).properties(height=alt.Step(26)), lang)


def heatmap(table: pd.DataFrame, row_title: str, column_title: str, count_title: str,
            lang: str = "fr") -> alt.Chart:
    """Cells coloured by count with the count written in them. `table`: as `stats.crosstab` returns it."""
    row_order = list(dict.fromkeys(table["row_label"]))
    column_order = list(dict.fromkeys(table["column_label"]))
    base = alt.Chart(table).encode(
        y=alt.Y("row_label:N", sort=row_order, title=None,  # both titles are in the chart's heading
                axis=alt.Axis(labelLimit=300, labelFontSize=FONT_SIZE - 1, titleFontSize=FONT_SIZE,
                              labelOverlap=False)),
        x=alt.X("column_label:N", sort=column_order, title=None, axis=alt.Axis(
            labelAngle=-35, labelLimit=220, labelFontSize=FONT_SIZE - 1, labelOverlap=False, orient="top")),
        tooltip=[alt.Tooltip("row_label:N", title=row_title), alt.Tooltip("column_label:N", title=column_title),
                 alt.Tooltip("count:Q", title=count_title, format=COUNT_FORMAT)],
    )
    cells = base.mark_rect(stroke="#dddddd").encode(
        color=alt.condition(alt.datum.count > 0,
                            alt.Color("count:Q", title=count_title, scale=alt.Scale(scheme="blues"),
                                      legend=alt.Legend(format=COUNT_FORMAT)),
                            alt.value("#ffffff")))
    maximum = max(int(table["count"].max()), 1)
    text = base.mark_text(fontSize=FONT_SIZE - 2).encode(
        text=alt.condition(alt.datum.count > 0, alt.Text("count:Q", format=COUNT_FORMAT), alt.value("")),
        color=alt.condition(alt.datum.count > maximum / 2, alt.value("#ffffff"), alt.value("#1a1a1a")))
    return _in_language((cells + text).properties(height=alt.Step(28)), lang)


def overview_map(departements, entities: pd.DataFrame, kind_labels: dict[str, str],
                 kind_colours: dict[str, str]) -> alt.Chart:
    """A small map of the region (département outlines, one dot per entity) drawn without any tile server."""
    outline = alt.Chart(alt.Data(values=departements.__geo_interface__["features"])).mark_geoshape(
        fill="#f4f4f1", stroke="#777777", strokeWidth=0.8)
    points = pd.DataFrame({"lon": entities["lon"], "lat": entities["lat"], "name": entities["name"],
                           "kind": entities["kind"].map(kind_labels)})
    dots = alt.Chart(points).mark_circle(size=28, opacity=0.8).encode(
        longitude="lon:Q", latitude="lat:Q",
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=list(kind_labels.values()),
                                                              range=list(kind_colours.values())),
                        legend=alt.Legend(orient="bottom", labelFontSize=FONT_SIZE - 1)),
        tooltip=[alt.Tooltip("name:N", title=""), alt.Tooltip("kind:N", title="")],
    )
    return (outline + dots).project(type="mercator").properties(height=420)
