"""The breast-13 grammar: French and English breast pathology reports in many layouts.

One :class:`BreastReport` writes one report. Every value of the record goes through
``Writer.value`` (so its span is recorded); everything else (headers, clinical context,
gross description, DCIS, pTNM, techniques, signatures) is filler that a reader must not take
for a value. The words come from the phrase banks ``phrases/fr.yaml`` and ``phrases/en.yaml``;
this module holds the structure. Lymph-node counts follow one rule: the values of a count
key's spans add up to the record (each specimen's count written once, or the total written
once with the per-specimen counts left unspanned).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from typing import Any

import yaml

from pathsynth.llm.template._lexicon import Lexicon
from pathsynth.llm.template._writer import Writer
from pathsynth.schema import Value, load_schema

# The variables this grammar is written for: those of the built-in breast-13 schema.
BREAST_KEYS = tuple(load_schema("breast13").keys)
COUNT_KEYS = ("numero_gang_prel", "numero_gang_att")
MARKERS = ("re", "rp", "her2", "ki67")
_MARKER_ORDERS = (
    ("her2", "re", "rp", "ki67"),
    ("re", "rp", "ki67", "her2"),
    ("ki67", "re", "rp", "her2"),
    ("her2", "ki67", "re", "rp"),
)

#: Report layouts and how often each is drawn.
LAYOUTS = (
    "sections",
    "sections_synoptic",
    "synoptic",
    "table",
    "paragraph",
    "compact",
    "specimens",
    "biopsy",
)
# "biopsy" is drawn only for core biopsies (half of them), never for other specimens.
LAYOUT_WEIGHTS = (22, 14, 16, 10, 14, 10, 14, 0)

ROMAN = {1: "I", 2: "II", 3: "III"}
GRADE_RANGES = {1: "3-5", 2: "6 or 7", 3: "8 or 9"}
# Nottingham component triples (tubules, nuclei, mitoses) whose sum gives each grade.
_TRIPLES = {
    g: [
        (a, b, c)
        for a in (1, 2, 3)
        for b in (1, 2, 3)
        for c in (1, 2, 3)
        if (3 <= a + b + c <= 5, 6 <= a + b + c <= 7, a + b + c >= 8)[g - 1]
    ]
    for g in (1, 2, 3)
}
_WORDS = {
    "fr": ("aucun", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"),
    "en": ("none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
}
# De-identified dates and record numbers, as in shared clinical corpora.
_DATE_STYLES = ("[DATE]", "XX/XX/XXXX", "**/**/****", "<DATE>", "__/__/____", "partial", "partial")
_ANON_IDS = ("[ID]", "XXXXXXXX", "********", "<NUM>", "[NUMÉRO]")
_FIELD_KEYS = (
    "echantillon",
    "diagnostic",
    "grade",
    "taille",
    "emboles",
    "marges_saines",
    "NODES",
    "re",
    "rp",
    "her2",
    "ki67",
)


def _freeze(x: Any) -> Any:
    if isinstance(x, list):
        return tuple(_freeze(v) for v in x)
    if isinstance(x, dict):
        return {k: _freeze(v) for k, v in x.items()}
    return x


@cache
def phrases(lang: str) -> dict[str, Any]:
    """The phrase bank of ``lang`` (read once per process)."""
    text = (
        resources.files("pathsynth.domains.breast13.grammar")
        .joinpath(f"phrases/{lang}.yaml")
        .read_text("utf-8")
    )
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return dict(_freeze(yaml.load(text, Loader=loader)))


@dataclass
class NodeSpecimen:
    """One lymph-node specimen: its kind (sentinel, dissection, generic) and counts."""

    kind: str
    prel: int | None
    att: int | None
    itc: int = 0
    micro: bool = False
    number: int = 0


def fmt_num(x: float, comma: bool, digits: int = 2) -> str:
    """``x`` with at most ``digits`` decimals, a decimal comma when ``comma``."""
    s = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return s.replace(".", ",") if comma else s


def cap(s: str) -> str:
    """``s`` with its first letter in capitals."""
    return s[:1].upper() + s[1:]


def _no_ductal(name: str) -> bool:
    """Whether a histology name leaves "ductal" unsaid (so a "(canalaire)" tail may follow)."""
    low = name.lower()
    return not any(w in low for w in ("canal", "ductal", "idc", "cci"))


class BreastReport:
    """One breast-13 report being written; ``render`` fills the writer."""

    def __init__(
        self,
        lexicon: Lexicon,
        record: dict[str, Value],
        lang: str,
        rng: random.Random,
        writer: Writer,
        style: dict[str, str],
    ) -> None:
        self.lex = lexicon
        self.v = record
        self.lang = lang
        self.fr = lang == "fr"
        self.P = phrases(lang)
        self.V = self.P["values"]
        self.N = self.P["nodes"]
        self.T = self.P["text"]
        self.r = rng
        self.w = writer
        self.style = style
        self.comma = style.get("decimal", "," if self.fr else ".") == ","
        self.unit = style.get("units", "cm")
        self.distractors = float(style.get("distractors", "0.5"))
        self.side = self.pick(self.T["sides"])
        self.written: set[str] = set()
        self.nodes_done = False
        self.rupture_done = False
        self.ihc_later = False
        self._triple: tuple[int, int, int] | None = None
        self._pct: dict[str, int] = {}
        self._intensity: dict[str, int] = {}
        self._her2: str | None = None
        self._ratio = ""
        self._margin: tuple[int, str] | None = None
        self._day = (rng.randint(1, 20), rng.randint(1, 12), rng.randint(2012, 2025))
        self._date_style = rng.choice(_DATE_STYLES)
        # House order of the markers: usually ER, PR, HER2, Ki-67, sometimes another.
        self.markers = MARKERS if rng.random() < 0.7 else rng.choice(_MARKER_ORDERS)
        self._anon = rng.choice(_ANON_IDS)
        self.node_specs = self._plan_nodes()
        # "parts": each specimen's counts spanned; "total": one spanned total, parts unspanned.
        multi = len(self.node_specs) > 1
        self.node_mode = "total" if multi and rng.random() < 0.35 else "parts"

    # ------------------------------------------------------------------ helpers
    def pick(self, seq: Sequence[str]) -> str:
        return seq[int(self.r.random() * len(seq))]

    def say(self, seq: Sequence[str], **kw: object) -> str:
        """A variant of ``seq`` with its ``{fields}`` filled."""
        s = self.pick(seq)
        return s.format(**kw) if kw else s

    def t(self, s: str) -> None:
        self.w.text(s)

    def val(self, key: str, s: str) -> None:
        self.w.value(key, s)
        self.written.add(key)

    def known(self, key: str) -> bool:
        return self.v.get(key) is not None

    def says(self, key: str, repeat: float = 1.0) -> bool:
        """Whether to state ``key`` here: known, and not yet written or restated by chance."""
        return self.v.get(key) is not None and (key not in self.written or self.chance(repeat))

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def at_start(self) -> bool:
        """Whether the next word starts a sentence or a line."""
        tail = self.w.tail(3).rstrip(" ")
        return not tail or tail[-1] in ".:\n-"

    def sep(self) -> str:
        if self.fr:
            return self.pick((" : ", " : ", ": ", " - ", " = "))
        return self.pick((": ", ": ", " - ", ": "))

    def label(self, key: str, extra: Sequence[str] = ()) -> str:
        names = self.lex.names[key]
        s = self.pick(names + tuple(extra)) if extra else self.pick(names)
        return cap(s) if self.chance(0.8) else s

    def surface(self, key: str) -> str:
        return self.pick(self.lex.surfaces[(key, str(self.v[key]))])

    def side_after(self, noun: str = "") -> str:
        """The breast side written after a specimen name (agreeing with it in French)."""
        if self.fr:
            masculine = noun.split(" ", 1)[0].lower() in ("curage", "évidement", "prélèvement")
            return f" {self.side}" if masculine or self.side == "gauche" else " droite"
        return self.pick((f", {self.side}", f" ({self.side})", f", {self.side} breast"))

    def date(self) -> str:
        """A date as de-identified corpora write it: a placeholder, or month and year only.

        Full dates would read as identifiers (the filter drops such reports) and real
        evaluation reports are de-identified the same way.
        """
        _, m, y = self._day
        if self._date_style == "partial":
            return f"{m:02d}/{y}" if self.chance(0.7) else str(y)
        return self._date_style

    def initials(self) -> str:
        letters = "ABCDEFGHJKLMNPRSTV"
        return f"{self.r.choice(letters)}. {self.r.choice(letters)}."

    def case_number(self) -> str:
        prefix = self.r.choice(("H", "B", "S", "P", "AP"))
        return f"{prefix}{self.r.randint(12, 25)}-{self.r.randint(1, 99999):05d}"

    # ------------------------------------------------------------------ numbers
    def mm_text(self, mm: float, unit: str | None = None) -> str:
        unit = unit or self.unit
        sp = " " if self.chance(0.8) else ""
        if unit == "cm" and float(mm).is_integer():
            return f"{fmt_num(mm / 10, self.comma)}{sp}cm"
        return f"{fmt_num(mm, self.comma, 1)}{sp}mm"

    def size_text(self) -> str:
        """The tumour size, sometimes as two or three dimensions with the largest first."""
        t = float(self.v["taille"])  # type: ignore[arg-type]
        unit = self.unit if t.is_integer() else "mm"
        if t >= 4 and self.chance(0.2):
            scale = 10.0 if unit == "cm" else 1.0
            digits = 1 if unit == "cm" else 0
            big = t / scale
            d2 = max(1 / scale, round(big * self.r.uniform(0.45, 0.9), digits))
            d3 = max(1 / scale, round(d2 * self.r.uniform(0.5, 0.95), digits))
            x = self.pick((" x ", " x ", "x", " × "))
            sp = " " if self.chance(0.8) else ""
            dims = [fmt_num(big, self.comma), fmt_num(d2, self.comma), fmt_num(d3, self.comma)]
            if self.chance(0.5):
                dims = dims[:2]
            return x.join(dims) + sp + unit
        return self.mm_text(t, unit)

    def small_mm(self, lo: float, hi: float) -> str:
        return fmt_num(round(self.r.uniform(lo, hi), 1), self.comma)

    # ------------------------------------------------------------------ value phrases
    def triple(self) -> tuple[int, int, int]:
        if self._triple is None:
            self._triple = self.r.choice(_TRIPLES[int(self.v["grade"])])  # type: ignore[arg-type]
        return self._triple

    def grade_text(self, ctx: str) -> str:
        g = int(self.v["grade"])  # type: ignore[arg-type]
        a, b, c = self.triple()
        return self.say(
            self.V["grade"][ctx],
            g=g,
            rn=ROMAN[g],
            a=a,
            b=b,
            c=c,
            s=a + b + c,
            range=GRADE_RANGES[g],
        )

    def pct(self, key: str) -> int:
        """The stained-cell percentage behind a receptor status (drawn once per report)."""
        if key not in self._pct:
            if self.v[key] == "negative":
                self._pct[key] = 0
            else:
                u = self.r.random()
                if u < 0.7:
                    p = self.r.choice((60, 70, 75, 80, 85, 90, 95, 100))
                elif u < 0.9:
                    p = self.r.choice((15, 20, 30, 40, 50))
                else:
                    p = self.r.choice((1, 2, 5, 8, 10))
                self._pct[key] = p
        return self._pct[key]

    def receptor_text(self, key: str, ctx: str) -> str:
        """A hormone-receptor status; compact forms carry their label (``RE+ 90%``)."""
        R = self.V["receptor"]
        pos = self.v[key] == "positive"
        p = self.pct(key)
        ps = f"{p}{' ' if self.chance(0.6) else ''}%"
        if not pos:
            if ctx == "compact":
                return self.say(R["neg_compact"], lab=self.pick(R["short"][key]))
            return self.pick(R["neg"])
        if key not in self._intensity:
            # Low-positive tumours stain weakly; the draw is kept for the whole report.
            self._intensity[key] = self.r.randint(1, 3) if p > 10 else 1
        intens = self._intensity[key]
        score = (2 if p <= 10 else 3 if p <= 33 else 4 if p <= 66 else 5) + intens
        kw = {"p": ps, "iw": R["intensity"][intens - 1], "x": R["crosses"][intens - 1]}
        if ctx == "compact":
            return self.say(R["pos_compact"], lab=self.pick(R["short"][key]), **kw)
        if p <= 10 and self.chance(0.5):
            return self.say(R["low_pos"], **kw)
        return self.say(R["pos"], score=score, **kw)

    def her2_class(self) -> str:
        """The IHC class behind the HER2 status, drawn once per report (``neg_1``...)."""
        if self._her2 is None:
            if self.v["her2"] == "positive":
                self._her2 = "pos_3" if self.chance(0.75) else "pos_2"
            else:
                self._her2 = self.r.choice(("neg_0", "neg_0", "neg_1", "neg_1", "neg_2"))
            self._ratio = fmt_num(
                self.r.uniform(2.2, 6.0) if self._her2 == "pos_2" else self.r.uniform(1.0, 1.8),
                self.comma,
                1,
            )
        return self._her2

    def her2_text(self, ctx: str) -> str:
        H = self.V["her2"]
        cls = self.her2_class()
        if ctx == "compact":
            return self.pick(H["compact_" + cls])
        if self.chance(0.15):
            return self.pick(H[cls[:3] + "_any"])
        return self.say(H[cls], ratio=self._ratio, ratio_neg=self._ratio)

    def hot_spot(self) -> None:
        """A second, higher Ki-67 figure for hot spots (not the value of the record)."""
        k = float(self.v["ki67"])  # type: ignore[arg-type]
        if k <= 80 and self.chance(0.08):
            h = int(min(100, round(k + self.r.randint(10, 30), -1)))
            self.t(self.say(self.T["hot_spot"], h=h))
        elif (k < 15 or k >= 30) and self.chance(0.1):
            self.t(self.pick(self.T["ki67_level"]["low" if k < 15 else "high"]))

    def ki67_text(self) -> str:
        k = float(self.v["ki67"])  # type: ignore[arg-type]
        return f"{fmt_num(k, self.comma, 1)}{' ' if self.chance(0.6) else ''}%"

    def margin_text(self, ctx: str) -> str:
        M = self.V["margins"]
        yes = self.v["marges_saines"] == "yes"
        if ctx == "field":
            return self.pick(M["yes_field" if yes else "no_field"])
        if self.chance(0.5):
            return self.pick(M["yes_prose" if yes else "no_prose"])
        return self.surface("marges_saines")

    def margin_tail(self) -> str:
        """Filler after a margin status: the closest margin (clear) or which one (involved)."""
        M = self.V["margins"]
        yes = self.v["marges_saines"] == "yes"
        if not self.chance(0.45 if yes else 0.5):
            return ""
        if self._margin is None:
            # One closest margin per report, however often it is mentioned.
            d = self.r.choice((1, 2, 3, 4, 5, 6, 8, 10, 12, 15))
            self._margin = (d, self.pick(self.T["margin_sides"]))
        d, side = self._margin
        dd = f"{d} mm" if self.chance(0.7) else f"{fmt_num(d / 10, self.comma)} cm"
        return self.say(M["yes_tail" if yes else "no_tail"], d=dd, side=side)

    def yesno_text(self, key: str, ctx: str) -> str:
        Y = self.V["emboles" if key == "emboles" else "rupture"]
        yes = self.v[key] == "yes"
        if ctx == "field":
            return self.pick(Y["yes_field" if yes else "no_field"])
        if self.chance(0.5):
            return self.pick(Y["yes_prose" if yes else "no_prose"])
        return self.surface(key)

    def value_text(self, key: str, ctx: str = "field") -> str:
        """The text stating ``key``'s value in a checklist line or a table cell."""
        if key in ("echantillon", "diagnostic"):
            return self.surface(key)
        if key == "grade":
            return self.grade_text(ctx)
        if key == "taille":
            return self.size_text()
        if key == "marges_saines":
            return self.margin_text(ctx)
        if key in ("emboles", "rupture_capsulaire"):
            return self.yesno_text(key, ctx)
        if key in ("re", "rp"):
            return self.receptor_text(key, ctx)
        if key == "her2":
            return self.her2_text(ctx)
        return self.ki67_text()

    # ------------------------------------------------------------------ lymph nodes
    def _plan_nodes(self) -> list[NodeSpecimen]:
        prel, att = self.v.get("numero_gang_prel"), self.v.get("numero_gang_att")
        r = self.r
        if prel is None and att is None:
            return []
        if prel is None:
            return [NodeSpecimen("ln", None, int(att))]  # type: ignore[arg-type]
        n = int(prel)
        k = None if att is None else int(att)
        dissection = self.v.get("echantillon") == "lymph_node_dissection"
        if n == 0:
            specs = [NodeSpecimen(r.choice(("sn", "ax", "ln")), 0, k)]
        elif n <= 4 and not dissection and r.random() < 0.75:
            if n >= 2 and r.random() < 0.3:
                specs = [NodeSpecimen("sn", 1, None, number=i + 1) for i in range(n)]
            else:
                specs = [NodeSpecimen("sn", n, None)]
        elif n >= 5 and r.random() < 0.5:
            s = r.randint(1, min(3, n - 2))
            specs = [NodeSpecimen("sn", s, None), NodeSpecimen("ax", n - s, None)]
        else:
            specs = [NodeSpecimen("ax" if r.random() < 0.6 else "ln", n, None)]
        if k is not None:
            for spec in specs:
                spec.att = 0
            for _ in range(k):
                room = [s for s in specs if (s.prel or 0) > (s.att or 0)]
                first = [s for s in room if s.kind == "sn"]
                target = first[0] if first and r.random() < 0.6 else r.choice(room)
                target.att = (target.att or 0) + 1
            if r.random() < 0.08:
                free = [s for s in specs if (s.prel or 0) - (s.att or 0) >= 1]
                if free:
                    r.choice(free).itc = 1
            for spec in specs:
                # A micrometastasis counts as a metastatic node; keep one macro so pN holds.
                spec.micro = (spec.att or 0) >= 2 and r.random() < 0.1
        return specs

    def node_kind_label(self, spec: NodeSpecimen, upper: bool = False) -> str:
        if spec.kind == "sn" and spec.number:
            s = self.say(self.N["sn_num"], i=spec.number)
        else:
            sides = ("gauches" if self.side == "gauche" else "droits") if self.fr else self.side
            s = self.say(self.N[spec.kind], side=self.side, sides=sides)
        return s.upper() if upper else s

    def count(self, key: str, x: int, spanned: bool, words: bool = False) -> None:
        text = _WORDS[self.lang][x] if words and x < len(_WORDS[self.lang]) else str(x)
        if spanned:
            self.val(key, text)
        else:
            self.w.raw(text)

    def node_counts(self, spec: NodeSpecimen, spanned: bool) -> None:
        """One specimen's counts (``k/n``, ``k of n``...), spanned or plain."""
        n, k = spec.prel, spec.att
        N, fr = self.N, self.fr
        att, prel = "numero_gang_att", "numero_gang_prel"
        if n == 0:
            # No node found: "aucun ganglion identifié (0/0)".
            self.t(self.pick(N["none_found"]))
            self.w.raw(" (")
            if k is not None:
                self.count(att, k, spanned)
                self.w.raw("/")
            self.count(prel, 0, spanned)
            self.w.raw(")")
        elif n is not None and k is not None:
            form = self.r.randint(0, 5)
            if form == 0:
                self.count(att, k, spanned)
                self.w.raw("/")
                self.count(prel, n, spanned)
            elif form == 1:
                self.count(att, k, spanned)
                self.w.raw("N+/" if fr else "+/")
                self.count(prel, n, spanned)
                self.w.raw("N" if fr else "")
            elif form == 2 and k > 0:
                self.count(att, k, spanned)
                self.t(f" {N['meta_one'] if k == 1 else N['meta_many']} sur " if fr else " of ")
                self.count(prel, n, spanned)
                if not fr:
                    self.t(f" {'lymph node' if n == 1 else 'lymph nodes'} positive for metastasis")
            elif form == 3:
                self.count(prel, n, spanned)
                self.t(f" {N['examined_one'] if n == 1 else N['examined_many']}, ")
                self.count(att, k, spanned)
                if fr:
                    self.t(" métastatiques" if k > 1 else " métastatique")
                else:
                    self.t(" with metastasis" if k else " positive")
            elif form == 4 and n <= 10 and k <= 10:
                # Numbers in words: "deux ganglions, aucun métastatique".
                self.count(prel, n, spanned, words=True)
                if fr:
                    self.t(" ganglion" if n == 1 else " ganglions")
                    self.t(self.pick((", ", " dont ")))
                    self.count(att, k, spanned, words=True)
                    self.t(" métastatique" if k <= 1 else " métastatiques")
                else:
                    self.t(" lymph node" if n == 1 else " lymph nodes")
                    self.t(self.pick((", ", "; ")))
                    self.count(att, k, spanned, words=True)
                    self.t(" with metastasis" if k else " positive")
            else:
                if k == 0:
                    self.t(self.pick(N["neg_one"] if n == 1 else N["neg_many"]))
                else:
                    self.t(self.pick(N["pos_one"] if k == 1 else N["pos_many"]))
                self.w.raw(" (")
                self.count(att, k, spanned)
                self.w.raw("/")
                self.count(prel, n, spanned)
                self.w.raw(")")
        elif n is not None:
            self.count(prel, n, spanned)
            self.t(f" {N['examined_one'] if n == 1 else N['examined_many']}")
        elif k is not None:
            self.count(att, k, spanned)
            self.t(f" {N['meta_one'] if k == 1 else N['meta_many']}")
        if spec.micro:
            self.t(self.say(N["micro"], mm=self.small_mm(0.3, 1.9)))
        if spec.itc:
            self.t(self.pick(N["itc"]))

    def node_lines(self, spanned: bool, bullet: str = "") -> None:
        """One line per node specimen, ``Label : k/n``."""
        for spec in self.node_specs:
            self.t(bullet + cap(self.node_kind_label(spec)) + self.sep())
            self.node_counts(spec, spanned)
            self.rupture_after(spec)
            self.t("\n")

    def node_prose(self, spanned: bool) -> None:
        """Node specimens as sentences."""
        for spec in self.node_specs:
            self.t(cap(self.node_kind_label(spec)) + (" : " if self.fr else ": "))
            self.node_counts(spec, spanned)
            self.rupture_after(spec)
            self.t(". ")

    def rupture_after(self, spec: NodeSpecimen) -> None:
        if self.rupture_done or not self.known("rupture_capsulaire"):
            return
        if spec.att:
            self.t(", ")
            self.val("rupture_capsulaire", self.yesno_text("rupture_capsulaire", "prose"))
            self.rupture_done = True

    def nodes_total(self, ctx: str) -> None:
        """The node totals as one statement (spanned)."""
        total = NodeSpecimen("ln", self._int("numero_gang_prel"), self._int("numero_gang_att"))
        if ctx != "field":
            self.t(self.pick(self.N["total_intro"]))
        self.node_counts(total, spanned=True)
        if self.known("rupture_capsulaire") and not self.rupture_done:
            self.t(", ")
            self.val("rupture_capsulaire", self.yesno_text("rupture_capsulaire", "prose"))
            self.rupture_done = True

    def nodes_block(self, where: str) -> None:
        """Write the node counts once, as sentences (``prose``) or lines (``lines``)."""
        if self.nodes_done:
            return
        self.nodes_done = True
        end = ".\n" if where == "lines" else ". "
        if self.node_specs and self.node_mode == "total":
            if self.chance(0.6):
                if where == "lines":
                    self.node_lines(spanned=False)
                else:
                    self.node_prose(spanned=False)
            self.nodes_total("prose")
            self.t(end)
        elif where == "lines":
            self.node_lines(spanned=True)
        else:
            self.node_prose(spanned=True)
        self.rupture_alone(where)

    def rupture_alone(self, where: str, bullet: str = "") -> None:
        if self.rupture_done:
            return
        if self.known("rupture_capsulaire"):
            self.rupture_done = True
            if where == "lines":
                self.t(bullet + self.label("rupture_capsulaire") + self.sep())
                self.val("rupture_capsulaire", self.yesno_text("rupture_capsulaire", "field"))
                self.t("\n")
            else:
                self.val("rupture_capsulaire", cap(self.yesno_text("rupture_capsulaire", "prose")))
                self.t(". ")
        elif self.node_specs and self.v.get("numero_gang_att") == 0 and self.chance(0.15):
            # What real reports say when no node is metastatic; written intact so that noise
            # cannot turn "not applicable" into anything else.
            self.w.raw((bullet if where == "lines" else "") + self.pick(self.N["not_applicable"]))
            self.t("\n" if where == "lines" else ". ")

    def frozen_section(self) -> None:
        """An intra-operative sentinel node result (no counts: they are written once)."""
        sn = [s for s in self.node_specs if s.kind == "sn"]
        if not sn or not self.chance(0.2):
            return
        forms = self.N["frozen"]
        all_negative = all(s.att == 0 for s in sn)
        self.t((self.pick(forms) if all_negative else self.pick(forms[1:])) + "\n")

    def ptnm(self) -> str:
        """pT / pN derived from the record (a distractor: it restates no value exactly)."""
        parts = []
        if self.known("taille"):
            t = float(self.v["taille"])  # type: ignore[arg-type]
            parts.append(
                "pT1mi"
                if t <= 1
                else "pT1a"
                if t <= 5
                else "pT1b"
                if t <= 10
                else "pT1c"
                if t <= 20
                else "pT2"
                if t <= 50
                else "pT3"
            )
        att = self._int("numero_gang_att")
        if self._int("numero_gang_prel") == 0:
            parts.append("pNx")
        elif att is not None and self.node_specs:
            itc = any(s.itc for s in self.node_specs)
            pn = (
                ("pN0(i+)" if itc else "pN0")
                if att == 0
                else "pN1a"
                if att <= 3
                else "pN2a"
                if att <= 9
                else "pN3a"
            )
            if all(s.kind == "sn" for s in self.node_specs) and att <= 3:
                pn += "(sn)"
            parts.append(pn)
        if not parts:
            return ""
        if self.chance(0.3):
            parts.append("pMx" if self.chance(0.5) else "cM0")
        text = " ".join(parts)
        if self.chance(0.4):
            text += self.pick(self.T["stage_editions"])
        return text

    def _int(self, key: str) -> int | None:
        x = self.v.get(key)
        return None if x is None else int(x)

    # ------------------------------------------------------------------ distractor blocks
    def history(self) -> None:
        H = self.T["history"]
        q = self.say(self.T["quadrants"], h=self.r.randint(1, 12), d=self.r.randint(1, 6))
        bits = [
            self.say(H["who"], age=self.r.randint(32, 88)),
            self.say(H["lesion"], q=q, side=self.side, acr=self.r.choice((4, 5))),
        ]
        if self.v.get("echantillon") not in ("biopsy", None) and self.chance(0.6):
            bits.append(self.say(H["prior"], date=self.date()))
        if self.chance(0.2):
            bits.append(self.say(H["past"], year=self.r.randint(1995, 2015)))
        if self.chance(0.3):
            bits.append(self.pick(H["neo"]))
        if self.chance(0.4):
            self.t(cap("; ".join(bits)) + ".")
        else:
            self.t(". ".join(cap(b) for b in bits) + ".")

    def gross(self) -> None:
        """Gross description: specimen named (the echantillon value), dimensions and weight."""
        G = self.T["gross"]
        t = float(self.v["taille"]) if self.known("taille") else 20.0  # type: ignore[arg-type]
        kind = self.v.get("echantillon")
        if kind == "biopsy":
            a, b, c = round(self.r.uniform(0.8, 2.0), 1), 0.1, 0.1
        else:
            # A mastectomy is much larger than the tumour; an excision a little larger.
            extra = self.r.uniform(10.0, 16.0) if kind == "mastectomy" else self.r.uniform(2.0, 8.0)
            a = round(t / 10 + extra, 1)
            b = round(a * self.r.uniform(0.5, 0.9), 1)
            c = round(b * self.r.uniform(0.3, 0.8), 1)
        dims = " x ".join(fmt_num(x, self.comma) for x in (a, b, c)) + " cm"
        weight: int | str = max(3, round(a * b * c * self.r.uniform(0.7, 1.0)))
        if kind == "biopsy":
            weight = "< 1"
        if self.node_specs and self.chance(0.3):
            # "Received in three parts": a number that counts containers, not nodes.
            parts = _WORDS[self.lang][min(len(self.node_specs) + 1, 10)]
            self.t(self.say(G["parts"], n=parts))
        if self.known("echantillon"):
            intro = self.pick(G["intro"])
            s = self.surface("echantillon")
            if self.fr and intro.endswith(" de ") and s[:1].lower() in "aeéèêiouyh":
                intro = intro[:-3] + "d'"
            self.t(intro)
            self.val("echantillon", cap(s) if self.at_start() else s)
            self.t(self.side_after("pièce" if intro else s) if self.chance(0.5) else "")
            self.t(self.pick(G["orientation"]))
            self.t(self.say(G["measures"], dims=dims, w=weight))
        else:
            self.t(self.say(G["intro_unknown"], dims=dims, w=weight))
        if self.known("taille") and self.chance(0.4):
            self.t(self.pick(G["lesion"]))
            if self.chance(0.25):
                # Gross size: rounded, larger than the invasive size measured on slides.
                gross_mm = max(t + 2.0, 5.0 * round(t * self.r.uniform(1.1, 1.4) / 5.0))
                self.w.raw(self.mm_text(gross_mm))
            else:
                self.val("taille", self.size_text())
            self.t(". ")
        elif self.chance(0.5):
            self.t(self.pick(G["no_size"]))
        if self.known("marges_saines") and self.chance(0.4):
            self.t(self.pick(G["ink"]))
        if self.chance(self.distractors * 0.6):
            self.t(self.pick(G["extra"]))
        if self.chance(0.5):
            self.t(self.say(G["blocks"], n=self.r.randint(3, 24)))
        if self.node_specs and self.chance(0.5):
            self.t(self.pick(G["nodes"]))

    def dcis(self) -> bool:
        """A DCIS component with its own grade, extent and share (a distractor)."""
        if self.v.get("diagnostic") in ("8500/2", None):
            return False
        if not self.chance(0.3 + 0.3 * self.distractors):
            return False
        D = self.T["dcis"]
        if self.v.get("diagnostic") == "8520/3" and self.chance(0.6):
            # Lobular carcinomas come with lobular, not ductal, in situ neoplasia.
            self.t(self.pick(D["lobular"]) + ". ")
            return True
        ng = self.r.randint(1, 3)
        self.t(
            self.say(
                D["forms"],
                ng=ng,
                ngw=D["grade_words"][ng - 1],
                ext=self.r.randint(2, 40),
                share=self.r.choice((5, 10, 15, 20, 30, 40)),
                pattern=self.pick(D["patterns"]),
            )
        )
        if self.chance(0.4):
            self.t(self.pick(D["calcs"]))
        self.t(". ")
        return True

    def benign_extra(self) -> bool:
        if self.chance(self.distractors * 0.5):
            self.t(self.pick(self.T["benign"]))
            return True
        return False

    def technique(self) -> None:
        """Antibody clones and controls; only for markers the report states."""
        if not self.chance(self.distractors * 0.6):
            return
        clones = [self.pick(self.T["clones"][k]) for k in MARKERS if self.known(k)]
        if clones:
            block = f"A{self.r.randint(1, 9)}"
            self.t(self.say(self.T["technique"], clones=", ".join(clones), block=block) + "\n")

    def header(self) -> None:
        if not self.chance(0.75):
            return
        T = self.T
        self.t(self.pick(T["titles"]) + "\n")
        if self.chance(0.6):
            line = self.say(
                T["exam_line"],
                num=self.case_number(),
                d1=self.date(),
                d2=self.date(),
                anon=self._anon,
            )
            self.t(line + "\n")
        if self.chance(0.3):
            self.t(self.say(T["prescriber"], ini=self.initials()) + "\n")
        self.t("\n")

    def page_break(self) -> None:
        """A page footer in the middle of the text, as in scanned multi-page reports."""
        if self.chance(0.06):
            self.t("\n" + self.pick(self.T["page"]) + "\n")

    def signature(self) -> None:
        if self.chance(0.5):
            self.t(
                "\n" + self.say(self.T["signature"], ini=self.initials(), date=self.date()) + "\n"
            )
        if self.chance(self.distractors * 0.15):
            self.t("\n" + self.say(self.T["addendum"], date=self.date()) + "\n")

    # ------------------------------------------------------------------ content blocks
    def tumour_sentence(self, repeat: float = 1.0) -> bool:
        """Diagnostic, grade and size in one sentence (what is known of them).

        A value already written elsewhere is restated with probability ``repeat``.
        """
        T = self.T
        say = {k for k in ("diagnostic", "grade", "taille") if self.says(k, repeat)}
        if not say:
            return False
        if "diagnostic" in say:
            intro = self.pick(T["tumour_intro"])
            self.t(cap(intro) if self.at_start() else intro)
            d = self.surface("diagnostic")
            self.val("diagnostic", cap(d) if self.at_start() else d)
            if self.v["diagnostic"] == "8500/3" and self.chance(0.1) and _no_ductal(d):
                self.t(self.pick(T["nst_tail"]))
        else:
            self.t(self.pick(T["tumour_none"]))
        size_first = self.chance(0.3)
        if "grade" in say and not size_first:
            self.tumour_grade()
        if "taille" in say:
            t = float(self.v["taille"])  # type: ignore[arg-type]
            if t >= 8 and self.chance(0.05):
                # Several foci: the record holds the largest; the others are distractors.
                self.t(", " + self.say(T["multifocal"], n=self.r.randint(2, 3)).lower())
                self.val("taille", self.size_text())
                other = self.mm_text(max(1.0, round(t * self.r.uniform(0.2, 0.7))))
                self.t(self.say(T["multifocal_tail"], other=other))
            else:
                self.t(self.pick(T["before_size"]))
                self.val("taille", self.size_text())
                if self.chance(0.3):
                    self.t(self.pick(T["size_tail"]))
        if "grade" in say and size_first:
            self.tumour_grade()
        self.t(". ")
        return True

    def tumour_grade(self) -> None:
        self.t(self.pick(self.T["before_grade"]))
        g = self.grade_text("prose")
        if self.fr and self.w.tail(4) == " de " and not g.startswith("grade"):
            g = "grade " + g
        self.val("grade", g)

    def emboles_margins(self, repeat: float = 1.0) -> None:
        margins = self.says("marges_saines", repeat)
        if self.says("emboles", repeat):
            self.val("emboles", cap(self.yesno_text("emboles", "prose")))
            joined = margins and self.chance(0.25)
            self.t(self.pick((", ", "; ")) if joined else ". ")
            if joined:
                self.val("marges_saines", self.margin_text("prose"))
                self.t(self.margin_tail() + ". ")
                return
        if margins:
            self.val("marges_saines", cap(self.margin_text("prose")))
            self.t(self.margin_tail() + ". ")

    def marker_statement(self, key: str, style: str) -> None:
        """One marker as ``Label : value`` (``style`` field) or compact (``RE+ 90%``)."""
        if key == "ki67":
            K = self.V["ki67"]
            self.t(self.pick(K["intro"] if style == "field" else K["compact"]))
            self.val(key, self.ki67_text())
            self.hot_spot()
        elif style == "compact" and self.chance(0.6):
            self.val(
                key,
                self.receptor_text(key, "compact") if key != "her2" else self.her2_text("compact"),
            )
        else:
            if key == "her2":
                self.t(
                    self.label("her2") + self.pick((" : ", " ", " - ") if self.fr else (": ", " "))
                )
            elif style == "compact":
                self.t(self.pick(self.V["receptor"]["short"][key]) + " ")
            else:
                self.t(self.label(key) + self.sep())
            self.val(key, self.value_text(key, "field"))

    def ihc_prose(self) -> None:
        for key in self.markers:
            if self.known(key):
                self.marker_statement(key, "compact" if self.chance(0.2) else "field")
                self.t(self.pick((". ", ". ", "; ", ".\n")))

    def ihc_lines(self, bullet: str = "") -> None:
        for key in self.markers:
            if self.known(key):
                self.t(bullet + self.label(key) + self.sep())
                self.val(key, self.value_text(key, "field"))
                self.t("\n")

    def ihc_compact_sentence(self) -> bool:
        """Markers in one sentence (``RE+ 90%, RP 0%, HER2 1+, Ki67 20%``)."""
        keys = [k for k in self.markers if self.known(k)]
        if not keys:
            return False
        self.t(self.pick(self.T["ihc_intro"]))
        if self.known("re") and self.known("rp") and self.chance(0.12):
            # "ER/PR: +/-": one label, two values.
            self.t("RE/RP : " if self.fr else self.pick(("ER/PR: ", "ER/PgR: ")))
            for i, key in enumerate(("re", "rp")):
                if i:
                    self.w.raw("/")
                self.val(key, "+" if self.v[key] == "positive" else "-")
            keys = [k for k in keys if k not in ("re", "rp")]
            if keys:
                self.w.raw(", ")
        grouped = self.known("re") and self.known("rp") and self.chance(0.2) and "re" in keys
        for i, key in enumerate(keys):
            if i:
                self.w.raw(", " if not (grouped and key == "her2") else " ; " if self.fr else "; ")
            if grouped and key == "re":
                self.t(self.pick(self.T["hormone_group"]))
            self.marker_statement(key, "compact")
        self.t(". ")
        return True

    # ------------------------------------------------------------------ checklists
    def field(self, key: str, bullet: str = "") -> None:
        """One ``Label : value`` line of a checklist."""
        if key in ("numero_gang_prel", "numero_gang_att", "rupture_capsulaire") or not self.known(
            key
        ):
            return
        if key == "grade" and self.chance(0.2):
            a, b, c = self.triple()
            self.t(bullet + self.say(self.T["cap_components"], a=a, b=b, c=c) + "\n")
        if key in ("taille", "ki67") and self.chance(0.12):
            # The unit in the label, a bare number as the value: "Taille (mm) : 28".
            x = float(self.v[key])  # type: ignore[arg-type]
            unit = " (mm)" if key == "taille" else " (%)"
            self.t(bullet + self.label(key) + unit + self.sep())
            self.val(key, fmt_num(x, self.comma, 1))
            self.t("\n")
            return
        self.t(bullet + self.label(key) + self.sep())
        text = self.value_text(key, "field")
        self.val(key, text)
        if (
            key == "diagnostic"
            and self.v[key] == "8500/3"
            and self.chance(0.15)
            and _no_ductal(text)
        ):
            self.t(self.pick(self.T["nst_tail"]))
        if key == "echantillon" and self.chance(0.4):
            self.t(self.side_after(text))
        elif key == "marges_saines":
            self.t(self.margin_tail())
        self.t("\n")

    def fields(self, keys: Sequence[str], bullet: str = "") -> None:
        """Checklist lines for ``keys`` (inside a section written as prose otherwise)."""
        if self.w.tail(1) not in ("", "\n"):
            self.t("\n")
        for key in keys:
            self.field(key, bullet)

    def specimen_line(self) -> None:
        """``Nature du prélèvement : tumorectomie gauche + ganglion sentinelle``."""
        if not self.known("echantillon"):
            return
        self.t(self.pick(self.T["specimen_line"]))
        s = self.surface("echantillon")
        self.val("echantillon", s)
        self.t(self.side_after(s))
        kinds = [spec.kind for spec in self.node_specs]
        if kinds and self.chance(0.8):
            self.t(self.pick(self.T["specimen_nodes"][kinds[0]]))
        self.t("\n\n")

    def node_fields(self, bullet: str = "") -> None:
        """Node counts as checklist lines (totals in separate lines, or per specimen)."""
        if self.nodes_done:
            return
        self.nodes_done = True
        N = self.N
        if self.node_specs and (self.node_mode == "total" or len(self.node_specs) == 1):
            prel, att = self._int("numero_gang_prel"), self._int("numero_gang_att")
            if self.chance(0.5):
                if prel is not None:
                    self.t(
                        bullet + self.label("numero_gang_prel", N["label_examined"]) + self.sep()
                    )
                    self.val("numero_gang_prel", str(prel))
                    self.t("\n")
                if att is not None:
                    self.t(bullet + self.label("numero_gang_att", N["label_positive"]) + self.sep())
                    self.val("numero_gang_att", str(att))
                    self.t("\n")
            else:
                self.t(bullet + self.pick(N["label_combined"]) + self.sep())
                self.nodes_total("field")
                if len(self.node_specs) > 1 and self.chance(0.5):
                    self.w.raw(" (")
                    for i, spec in enumerate(self.node_specs):
                        if i:
                            self.w.raw(" ; " if self.fr else "; ")
                        self.t(self.node_kind_label(spec) + " ")
                        self.node_counts(NodeSpecimen(spec.kind, spec.prel, spec.att), False)
                    self.w.raw(")")
                self.t("\n")
        elif self.node_specs:
            self.node_lines(spanned=True, bullet=bullet)
        self.rupture_alone("lines", bullet)

    def checklist(self, bullet: str | None = None) -> None:
        """``Label : value`` lines in a partly shuffled order."""
        if bullet is None:
            bullet = self.pick(("", "", "- ", "* ", "• ", "+ ", "[x] "))
        keys = list(_FIELD_KEYS)
        if self.chance(0.4):
            # Local swaps: real checklists follow a house order, rarely a random one.
            for _ in range(3):
                i = self.r.randrange(len(keys) - 1)
                keys[i], keys[i + 1] = keys[i + 1], keys[i]
        for _ in range(int(self.distractors * 4 * self.r.random())):
            # Checklist items that are not values: laterality, focality, skin, calcifications.
            keys.insert(self.r.randrange(len(keys) + 1), "EXTRA")
        extras = list(self.T["synoptic_extra"])
        for key in keys:
            if key == "NODES":
                self.node_fields(bullet)
            elif key == "EXTRA":
                item = extras.pop(int(self.r.random() * len(extras)))
                q = self.say(self.T["quadrants"], h=self.r.randint(1, 12), d=self.r.randint(1, 6))
                self.t(bullet + item.format(side=self.side, q=q) + "\n")
            else:
                self.field(key, bullet)
        if self.chance(0.5):
            p = self.ptnm()
            if p:
                self.t(bullet + self.pick(self.T["stage_label"]) + self.sep() + p + "\n")

    # ------------------------------------------------------------------ layouts
    def render(self) -> None:
        layout = self.style["layout"]
        getattr(self, f"layout_{layout}")()

    def section(self, name: str) -> None:
        title = self.pick(self.T["sections"][name])
        headers = self.style.get("headers", "upper")
        if headers == "upper":
            title = title.upper()
        if self.w.tail(2) not in ("", "\n\n"):
            self.t("\n\n" if self.w.tail(1) != "\n" else "\n")
        if headers == "none":
            # Narrative reports: paragraphs without titles.
            return
        colon = (" :\n", ":\n") if self.fr else (":\n",)
        self.t(title + self.pick(("\n", "\n", *colon)))

    def layout_sections(self, synoptic: bool = False) -> None:
        """Clinical history / gross / microscopy / (IHC) / conclusion (/ synoptic)."""
        self.header()
        if self.chance(0.35):
            self.specimen_line()
        if self.chance(0.75):
            self.section("clinical")
            self.history()
        self.section("gross")
        self.gross()
        self.frozen_section()
        self.section("micro")
        if self.chance(0.3):
            self.fields(("diagnostic", "grade", "taille", "emboles", "marges_saines"))
        else:
            self.tumour_sentence()
            self.emboles_margins()
        self.dcis()
        self.benign_extra()
        self.page_break()
        if not synoptic and self.chance(0.6):
            self.t("\n")
            self.nodes_block("prose")
        # Markers often come later, in an addendum: the conclusion then leaves them out.
        self.ihc_later = not synoptic and any(self.known(k) for k in MARKERS) and self.chance(0.1)
        separate_ihc = self.chance(0.5)
        if separate_ihc and not self.ihc_later:
            self.section("ihc")
            self.technique()
            if self.chance(0.5):
                self.ihc_lines()
            else:
                self.ihc_prose()
        elif not synoptic and not self.ihc_later:
            self.t("\n")
            self.ihc_prose()
        self.section("conclusion")
        # Conclusions are often typed in capitals inside an otherwise normal report.
        shout = self.style.get("case") == "normal" and self.chance(0.15)
        if shout:
            self.w.set_case("upper")
        self.conclusion_paragraph(with_nodes=not synoptic)
        if shout:
            self.w.set_case("normal")
        if synoptic:
            self.section("synoptic")
            self.checklist()
        self.signature()
        if self.ihc_later:
            self.t("\n" + self.say(self.T["ihc_addendum"], date=self.date()) + "\n")
            self.technique()
            self.ihc_lines(self.pick(("", "- ")))

    def layout_sections_synoptic(self) -> None:
        """Sections, then a synoptic checklist that restates the values."""
        self.layout_sections(synoptic=True)

    def conclusion_paragraph(self, with_nodes: bool = True) -> None:
        """A one-paragraph conclusion: specimen, tumour, margins, nodes, markers, pTNM."""
        if self.known("echantillon"):
            s = self.surface("echantillon")
            self.val("echantillon", cap(s))
            self.t(self.side_after(s) if self.chance(0.5) else "")
            self.t(self.pick((" : ", ". ", " - ") if self.fr else (": ", ". ", " - ")))
        # Conclusions summarise: values stated above are not always restated.
        self.tumour_sentence(repeat=0.75)
        if self.chance(0.5):
            self.dcis()
        self.emboles_margins(repeat=0.6)
        if with_nodes:
            self.nodes_block("prose")
        unwritten = any(self.known(k) and k not in self.written for k in MARKERS)
        if not self.ihc_later and (self.chance(0.5) or unwritten):
            self.ihc_compact_sentence()
        if self.chance(0.5):
            p = self.ptnm()
            if p:
                self.t(p + ". ")

    def layout_synoptic(self) -> None:
        """A checklist of ``Label : value`` lines, with optional history and comment."""
        self.header()
        if self.chance(0.4):
            self.history()
            self.t("\n\n")
        self.checklist()
        if self.chance(0.3):
            mark = self.w.checkpoint()
            self.t("\n" + self.pick(self.T["comment"]))
            if not (self.dcis() | self.benign_extra()):
                self.w.rollback(mark)
        self.signature()

    def layout_table(self) -> None:
        """A two-column table: ``|`` pipes, tabs, dotted leaders, or OCR-split columns."""
        self.header()
        kind = self.pick(("pipe", "pipe", "tab", "tab", "dots", "dots", "columns"))
        rows: list[tuple[str, Callable[[], None]]] = []
        for key in _FIELD_KEYS:
            if key == "NODES":
                rows.extend(self.node_rows())
            elif self.known(key):
                rows.append((self.label(key), partial(self.cell, key)))
        if kind == "pipe":
            self.t(self.pick(self.T["table_head"]))
        if kind == "columns":
            # A table read column by column, as OCR often does: labels first, then values.
            for lab, _ in rows:
                self.t(lab + "\n")
            self.t("\n")
            for _, fn in rows:
                fn()
                self.t("\n")
        else:
            for lab, fn in rows:
                self.row(kind, lab, fn)
        if self.chance(0.4):
            p = self.ptnm()
            if p:
                self.t("\n" + p + "\n")
        self.signature()

    def row(self, kind: str, lab: str, fn: Callable[[], None]) -> None:
        if kind == "pipe":
            self.t(f"| {lab} | ")
            fn()
            self.t(" |\n")
        elif kind == "tab":
            self.t(f"{lab}\t")
            fn()
            self.t("\n")
        else:
            self.t(lab + " " + "." * max(3, 28 - len(lab)) + " ")
            fn()
            self.t("\n")

    def cell(self, key: str) -> None:
        self.val(key, self.value_text(key, "field"))

    def node_rows(self) -> list[tuple[str, Callable[[], None]]]:
        """Table rows for the node counts (per specimen or total) and extranodal extension."""
        self.nodes_done = True
        rows: list[tuple[str, Callable[[], None]]] = []
        if self.node_mode == "parts":
            for spec in self.node_specs:
                rows.append(
                    (cap(self.node_kind_label(spec)), partial(self.node_counts, spec, True))
                )
        elif self.node_specs:
            total = NodeSpecimen("ln", self._int("numero_gang_prel"), self._int("numero_gang_att"))
            rows.append(
                (self.pick(self.N["label_combined"]), partial(self.node_counts, total, True))
            )
        if self.known("rupture_capsulaire"):
            self.rupture_done = True
            rows.append(
                (self.label("rupture_capsulaire"), partial(self.cell, "rupture_capsulaire"))
            )
        return rows

    def layout_paragraph(self) -> None:
        """One paragraph of conclusion, possibly under a heading."""
        if self.chance(0.5):
            heads = ("CONCLUSION :\n", "Conclusion\n", "Diagnostic : ", "CONCLUSION : ")
            if not self.fr:
                heads = ("DIAGNOSIS:\n", "Final diagnosis: ", "IMPRESSION:\n", "DIAGNOSIS: ")
            self.t(self.pick(heads))
        self.conclusion_paragraph()
        if self.chance(0.3):
            self.t("\n")
            self.technique()
        self.signature()

    def layout_compact(self) -> None:
        """Telegraphic: abbreviations, few verbs, everything on a few lines."""
        if self.known("echantillon"):
            s = self.surface("echantillon")
            self.val("echantillon", cap(s))
            if self.chance(0.5):
                side = self.side[0].upper() if self.chance(0.5) else self.side_after(s).strip(" ,")
                self.t(" " + side)
            self.t(self.pick((" : ", " - ", ": ") if self.fr else (": ", " - ", ": ")))
        tumour = [k for k in ("diagnostic", "grade", "taille") if self.known(k)]
        for i, key in enumerate(tumour):
            if i:
                self.t(self.pick((" ", ", ")) if key == "grade" else self.pick((", ", " ")))
            if key == "diagnostic":
                self.val(key, self.surface(key))
            elif key == "grade":
                self.val(key, self.grade_text("compact"))
            else:
                self.val(key, self.size_text())
        if tumour:
            self.t(". ")
        if self.known("emboles"):
            if self.chance(0.5):
                self.t("Emboles : " if self.fr else "LVI: ")
                self.val("emboles", self.yesno_text("emboles", "field"))
            else:
                self.val("emboles", cap(self.yesno_text("emboles", "prose")))
            self.t(". ")
        if self.known("marges_saines"):
            self.val("marges_saines", cap(self.margin_text("prose")))
            self.t(self.margin_tail() + ". ")
        self.t("\n")
        self.nodes_block("prose")
        self.t("\n")
        self.ihc_compact_sentence()
        if self.chance(0.6):
            p = self.ptnm()
            if p:
                self.t("\n" + p)

    def layout_specimens(self) -> None:
        """Numbered specimens (nodes first or last), each with its own findings."""
        self.header()
        if self.chance(0.5):
            self.section("clinical")
            self.history()
            self.t("\n\n")
        upper = not self.fr and self.chance(0.6)
        self.section("results")
        self.nodes_done = True
        parts: list[Callable[[str], None]] = [
            partial(self.node_part, spec=spec, upper=upper) for spec in self.node_specs
        ]
        parts.append(partial(self.breast_part, upper=upper))
        if self.chance(0.3):
            parts.reverse()
        tags = self.pick(("letter", "paren", "dot", "word", "slash"))
        for i, part in enumerate(parts):
            tag = {
                "letter": "ABCDEFGH"[i] + ". ",
                "paren": f"{i + 1}) ",
                "dot": f"{i + 1}. ",
                "word": self.T["specimen_word"].format(i=i + 1),
                "slash": f"{i + 1}/ ",
            }[tags]
            part(tag)
            self.t("\n")
        self.rupture_alone("prose")
        self.signature()

    def layout_biopsy(self) -> None:
        """A core-biopsy report: the cores, the tumour "on this material", the markers."""
        B = self.T["biopsy"]
        self.header()
        if self.chance(0.5):
            self.section("clinical")
            self.history()
        self.section("micro")
        if self.known("echantillon"):
            spec = self.surface("echantillon")
            head = self.pick(B["head"])
            before, after = head.split("{spec}")
            fill = {"side": self.side, "n": self.r.randint(2, 6)}
            self.t(cap(before.format(**fill)))
            self.val("echantillon", spec if before else cap(spec))
            self.t(after.format(**fill) + (" :\n" if self.fr else ":\n"))
        self.tumour_sentence()
        if self.known("grade") and self.chance(0.4):
            self.t(self.pick(B["grade_note"]))
        self.dcis()
        if self.known("emboles"):
            self.val("emboles", cap(self.yesno_text("emboles", "prose")))
            self.t(self.pick(B["material"]) + ". ")
        if self.known("marges_saines"):
            self.prose_value("marges_saines")
            self.t(" ")
        self.benign_extra()
        if self.node_specs or self.known("rupture_capsulaire"):
            self.t("\n")
            self.nodes_block("prose")
        if any(self.known(k) for k in MARKERS):
            self.section("ihc")
            self.technique()
            self.ihc_lines(self.pick(("", "- ")))
        if self.chance(0.5):
            self.section("conclusion")
            self.conclusion_paragraph()
        self.signature()

    def node_part(self, tag: str, spec: NodeSpecimen, upper: bool) -> None:
        self.t(tag + cap(self.node_kind_label(spec, upper)))
        if self.fr:
            self.t(" (exérèse) :\n   - " if self.chance(0.3) else " : ")
        else:
            self.t(", EXCISION:\n   - " if upper else ", excision: ")
        self.node_counts(spec, spanned=True)
        self.rupture_after(spec)
        self.t(".")

    def breast_part(self, tag: str, upper: bool) -> None:
        bullet = "\n   - "
        head = self.T["breast"].format(side=self.side)
        self.t(tag + (head.upper() if upper else head))
        if self.known("echantillon"):
            self.t(", ")
            s = self.surface("echantillon")
            self.val("echantillon", s.upper() if upper else s)
        self.t(" :" if self.fr else ":")
        items: list[Callable[[], bool]] = []
        if any(self.known(k) for k in ("diagnostic", "grade", "taille")):
            items.append(self.tumour_sentence)
        if self.known("emboles"):
            items.append(partial(self.prose_value, "emboles"))
        if self.known("marges_saines"):
            items.append(partial(self.prose_value, "marges_saines"))
        if any(self.known(k) for k in MARKERS):
            items.append(self.ihc_compact_sentence)
        if self.chance(0.5):
            items.insert(min(1, len(items)), self.dcis)
        p = self.ptnm() if self.chance(0.5) else ""
        if p:
            items.append(partial(self.filler, p))
        for item in items:
            mark = self.w.checkpoint()
            self.t(bullet)
            if not item():
                self.w.rollback(mark)

    def filler(self, text: str) -> bool:
        self.t(text)
        return True

    def prose_value(self, key: str) -> bool:
        """A yes/no value as a short sentence (``Absence d'emboles.``, ``Margins clear.``)."""
        if key == "marges_saines":
            self.val(key, cap(self.margin_text("prose")))
            self.t(self.margin_tail() + ".")
        else:
            self.val(key, cap(self.yesno_text(key, "prose")))
            self.t(".")
        return True
