"""result.summary() as an object (text, HTML, LaTeX), result.to_excel / to_latex / _repr_html_:
the same numbers as the result's frames, formatted for people, numbers kept as numbers in Excel."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.core.summary import Summary, Table, format_value
from analysis.errors import InputError


@pytest.fixture(scope="module")
def single(prices_dir):
    return analysis.study("1810.HK", "^HSI", "2021-03-26", prices_dir=prices_dir)


@pytest.fixture(scope="module")
def sample(prices_dir):
    events = pd.DataFrame({"event_id": ["xiaomi", "gwm", "geely", "late"],
                           "ticker": ["1810.HK", "2333.HK", "0175.HK", "0700.HK"], "market": "^HSI",
                           "event_date": ["2021-03-26", "2021-03-26", "2021-03-26", "2030-01-02"],
                           "group": ["party", "party", "rival", "rival"]})
    return analysis.run_study(events, prices_dir=prices_dir, progress=False).result


def test_summary_prints_the_text_as_before(single, capsys):
    s = single.summary()
    assert isinstance(s, Summary)
    print(s)
    assert capsys.readouterr().out == single.summary_text() + "\n"
    assert str(s) == s.as_text() == single.summary_text() and f"{s}" == str(s)
    assert "day 0 2021-03-26" in s and "M = 250" in s            # `in` works as on the string
    assert s == single.summary_text() and single.summary_text() == s and s == single.summary()
    assert s != single.summary_text() + "x"


def test_summary_tables_hold_the_result_numbers(single):
    s = single.summary()
    titles = [t.title for t in s.tables]
    assert titles == ["Fit over the estimation window", "Abnormal returns by day", "Cumulative abnormal returns"]
    ar = single.abnormal_returns
    cells = s.tables[1].cells()
    day0 = ar.index[ar["relative_day"] == 0][0]
    assert cells.loc[day0, "abnormal_return"] == f"{100 * ar.loc[day0, 'abnormal_return']:.3f}%"
    assert cells.loc[day0, "ar_p"] == f"{ar.loc[day0, 'ar_p']:.4f}"
    assert cells.loc[day0, "ar_t"] == f"{ar.loc[day0, 'ar_t']:.2f}"
    assert len(cells) == 21
    cars = single.cars()
    np.testing.assert_allclose(s.tables[2].frame["car"], cars["car"], rtol=0, atol=0)


def test_html_and_repr_html(single):
    html = single.summary().as_html()
    assert html.count("<table>") == 3 and "<caption>Abnormal returns by day</caption>" in html
    assert single._repr_html_().count("<table>") == 3
    assert "<style>" in single.summary()._repr_html_()
    # p-values as people read them: no 3.6591e-01
    assert not re.search(r"\d\.\d{4}e-01", html)


def test_latex(single):
    tex = single.to_latex()
    assert tex.count(r"\begin{tabular}") == 3 and tex.count(r"\end{table}") == 3
    assert r"\textasciicircum{}HSI" in tex and r"1810.HK\_2021-03-26" in tex
    body = tex.split(r"\caption{Abnormal returns by day}")[1].split(r"\bottomrule")[0]
    assert body.count(r"\\") == 22                                  # heading + 21 days
    assert tex.count("{") == tex.count("}")
    unescaped = [line for line in tex.splitlines() if re.search(r"(?<!\\)%", line) and not line.startswith("% ")]
    assert not unescaped                                            # every % in a cell is escaped


def test_sample_summary_has_tests(sample):
    s = sample.summary()
    titles = [t.title for t in s.tables]
    assert titles == ["Events skipped", "CARs by window", "Cross-event tests over [0, 0]"]
    tests = s.tables[2].frame
    pd.testing.assert_frame_equal(tests, sample.tests((0, 0)).rename_axis("test"))
    by = s.tables[1].frame.set_index(["window_start", "window_end"])
    c = sample.cars()
    assert by.loc[(0, 0), "mean_car"] == pytest.approx(c.loc[(c.window_start == 0) & (c.window_end == 0), "car"].mean())


def test_to_excel_one_sheet_per_table(sample, tmp_path):
    from openpyxl import load_workbook

    path = sample.to_excel(tmp_path / "out" / "sample.xlsx")
    assert path == tmp_path / "out" / "sample.xlsx"
    assert sorted(p.name for p in path.parent.iterdir()) == ["sample.xlsx"]      # no temporary left
    book = pd.read_excel(path, sheet_name=None)
    assert list(book) == ["settings", "diagnostics", "abnormal_returns", "car", "aar", "tests"]
    ar = sample.abnormal_returns
    np.testing.assert_allclose(book["abnormal_returns"]["abnormal_return"], ar["abnormal_return"], rtol=1e-15)
    assert (pd.to_datetime(book["abnormal_returns"]["date"]) == ar["date"]).all()
    np.testing.assert_allclose(book["aar"]["caar"], sample.aar()["caar"], rtol=1e-15)
    t = book["tests"]
    assert {"all", "party", "rival"} <= set(t["group"])
    assert book["diagnostics"]["status"].tolist() == ["ok", "ok", "ok", "skipped"]
    ws = load_workbook(path)["abnormal_returns"]
    heads = {c.value: c.column for c in ws[1]}
    assert ws.cell(2, heads["abnormal_return"]).number_format == "0.000%"
    assert ws.cell(2, heads["ar_p"]).number_format == "0.0000"
    assert isinstance(ws.cell(2, heads["abnormal_return"]).value, float)     # numbers stay numbers
    assert ws.freeze_panes == "A2"


def test_a_table_longer_than_a_sheet_goes_on(tmp_path, monkeypatch):
    from analysis.core import summary

    monkeypatch.setattr(summary, "EXCEL_MAX_ROWS", 10)
    frame = pd.DataFrame({"relative_day": range(25), "abnormal_return": np.linspace(-0.1, 0.1, 25)})
    path = summary.write_excel({"abnormal_returns": frame, "settings": frame.head(3)}, tmp_path / "x.xlsx")
    book = pd.read_excel(path, sheet_name=None)
    assert list(book) == ["abnormal_returns", "abnormal_returns (2)", "abnormal_returns (3)", "settings"]
    back = pd.concat([book[k] for k in list(book)[:3]], ignore_index=True)
    pd.testing.assert_frame_equal(back, frame)


def test_to_excel_rejects_other_suffixes(single, tmp_path):
    with pytest.raises(InputError, match="xlsx"):
        single.to_excel(tmp_path / "x.csv")


@pytest.mark.parametrize("column, value, text", [
    ("p", 0.36591, "0.3659"), ("p_value", 1e-5, "1.0e-05"), ("car", 0.0123456, "1.235%"),
    ("t", 2.5, "2.50"), ("beta", 1.19163, "1.192"), ("day0_shifted", np.bool_(False), "no"),
    ("day0", pd.Timestamp("2021-03-26"), "2021-03-26"), ("m", np.int64(250), "250"), ("x", np.nan, ""),
])
def test_format_value(column, value, text):
    assert format_value(column, value) == text


def test_table_escapes_html_and_latex():
    t = Table(pd.DataFrame({"event_id": ["<a&b>_1"], "car": [0.01]}), "T & <x>")
    assert "&lt;a&amp;b&gt;_1" in t.as_html() and "<caption>T &amp; &lt;x&gt;</caption>" in t.as_html()
    assert r"<a\&b>\_1" in t.as_latex() and r"1.000\%" in t.as_latex()
