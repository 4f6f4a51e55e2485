"""The breast-13 grammar: French and English breast pathology reports in many layouts.

One :class:`BreastReport` writes one report. Every value of the record goes through
``Writer.value`` (so its span is recorded); everything else (headers, clinical context,
gross description, DCIS, pTNM, techniques, signatures) is filler that a reader must not take
for a value. Lymph-node counts follow one rule: the values of a count key's spans add up to the
record (each specimen's count written once, or the total written once and the parts unspanned).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from pathsynth.llm.template._writer import Writer
from pathsynth.schema import Schema, Value

BREAST_KEYS = (
    "echantillon",
    "diagnostic",
    "grade",
    "taille",
    "marges_saines",
    "numero_gang_prel",
    "numero_gang_att",
    "emboles",
    "rupture_capsulaire",
    "re",
    "rp",
    "her2",
    "ki67",
)

LAYOUTS = (
    "sections",
    "sections_synoptic",
    "synoptic",
    "table",
    "paragraph",
    "compact",
    "specimens",
)
LAYOUT_WEIGHTS = (22, 14, 16, 10, 14, 10, 14)

ROMAN = {1: "I", 2: "II", 3: "III"}
# Nottingham component triples (tubules, nuclei, mitoses) for each grade.
_TRIPLES = {
    g: [
        (a, b, c)
        for a in (1, 2, 3)
        for b in (1, 2, 3)
        for c in (1, 2, 3)
        if {1: 3 <= a + b + c <= 5, 2: 6 <= a + b + c <= 7, 3: a + b + c >= 8}[g]
    ]
    for g in (1, 2, 3)
}

_SIDES = {"fr": ("gauche", "droit"), "en": ("left", "right")}
_QUADRANTS = {
    "fr": (
        "QSE",
        "QSI",
        "QIE",
        "QII",
        "quadrant supéro-externe",
        "quadrant inféro-interne",
        "rayon de {h} h",
    ),
    "en": (
        "upper outer quadrant",
        "UOQ",
        "upper inner quadrant",
        "lower outer quadrant",
        "retroareolar region",
        "{h} o'clock position",
        "{h}:00, {d} cm from the nipple",
    ),
}
_MARGIN_SIDES = {
    "fr": ("profonde", "superficielle", "supérieure", "inférieure", "interne", "externe"),
    "en": ("deep", "superficial", "superior", "inferior", "medial", "lateral", "anterior"),
}


@dataclass
class NodeSpecimen:
    """One lymph-node specimen: its kind (sentinel, dissection, generic) and counts."""

    kind: str
    prel: int | None
    att: int | None
    itc: int = 0
    number: int = 0


def fmt_num(x: float, comma: bool, digits: int = 2) -> str:
    """``x`` with at most ``digits`` decimals, a decimal comma when ``comma``."""
    s = f"{x:.{digits}f}".rstrip("0").rstrip(".") if digits else str(round(x))
    return s.replace(".", ",") if comma else s


def cap(s: str) -> str:
    """``s`` with its first letter in capitals."""
    return s[:1].upper() + s[1:]


def _nothing() -> None:
    return None


def plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


class BreastReport:
    """One breast-13 report being written; ``render`` fills the writer."""

    def __init__(
        self,
        schema: Schema,
        record: dict[str, Value],
        lang: str,
        rng: random.Random,
        writer: Writer,
        style: dict[str, str],
    ) -> None:
        self.schema = schema
        self.v = record
        self.lang = lang
        self.fr = lang == "fr"
        self.r = rng
        self.w = writer
        self.style = style
        self.comma = style.get("decimal", "," if self.fr else ".") == ","
        self.unit = style.get("units", "cm")
        self.distractors = float(style.get("distractors", "0.5"))
        self.side = rng.choice(_SIDES[lang])
        self.written: set[str] = set()
        self.nodes_done = False
        self.rupture_done = False
        self._grade_triple: tuple[int, int, int] | None = None
        self._pct: dict[str, int] = {}
        self.node_specs = self._plan_nodes()
        # "parts": each specimen's counts spanned; "total": one spanned total, parts unspanned.
        self.node_mode = "total" if len(self.node_specs) > 1 and rng.random() < 0.35 else "parts"

    # ------------------------------------------------------------------ helpers
    def pick(self, seq: Sequence[str]) -> str:
        return seq[int(self.r.random() * len(seq))]

    def t(self, s: str) -> None:
        self.w.text(s)

    def val(self, key: str, s: str) -> None:
        self.w.value(key, s)
        self.written.add(key)

    def at_start(self) -> bool:
        """Whether the next word starts a sentence or a line."""
        tail = self.w.tail(3).rstrip(" ")
        return not tail or tail[-1] in ".:\n-"

    def known(self, key: str) -> bool:
        return self.v.get(key) is not None

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def sep(self) -> str:
        return (
            self.pick((" : ", " : ", ": ", " - ", " = "))
            if self.fr
            else self.pick((": ", ": ", " - ", ": "))
        )

    def label(self, key: str, extra: Sequence[str] = ()) -> str:
        names = list(self.schema[key].names[self.lang]) + list(extra)
        s = self.pick(names)
        return cap(s) if self.chance(0.8) else s

    def surface(self, key: str) -> str:
        code = self.v[key]
        assert isinstance(code, str)
        forms = self.schema[key].category(code).surface[self.lang]
        if not forms:
            return self.schema[key].category(code).label[self.lang]
        return self.pick(forms)

    def side_after(self) -> str:
        """The breast side written after a specimen name."""
        if self.fr:
            return f" {self.side}"
        return self.pick((f", {self.side}", f" ({self.side})", f", {self.side} breast"))

    def date(self) -> str:
        d, m, y = self.r.randint(1, 28), self.r.randint(1, 12), self.r.randint(2012, 2025)
        if self.fr or self.chance(0.3):
            return f"{d:02d}/{m:02d}/{y}"
        return f"{m}/{d}/{y}"

    def initials(self) -> str:
        a, b = self.r.choice("ABCDEFGHJKLMNPRSTV"), self.r.choice("ABCDEFGHJKLMNPRSTV")
        return f"{a}. {b}."

    # ------------------------------------------------------------------ numbers
    def mm_text(self, mm: float, unit: str | None = None) -> str:
        unit = unit or self.unit
        sp = " " if self.chance(0.8) else ""
        if unit == "cm" and float(mm).is_integer():
            return f"{fmt_num(mm / 10, self.comma)}{sp}cm"
        return f"{fmt_num(mm, self.comma, 1)}{sp}mm"

    def size_text(self) -> str:
        """The tumour size, sometimes as the three dimensions with the largest first."""
        t = float(self.v["taille"])  # type: ignore[arg-type]
        unit = self.unit
        if unit == "cm" and not t.is_integer():
            unit = "mm"
        if t >= 4 and self.chance(0.2):
            scale = 10.0 if unit == "cm" else 1.0
            step = 1.0
            big = t / scale
            d2 = max(step / scale, round(big * self.r.uniform(0.45, 0.9), 1 if unit == "cm" else 0))
            d3 = max(step / scale, round(d2 * self.r.uniform(0.5, 0.95), 1 if unit == "cm" else 0))
            x = self.pick((" x ", " x ", "x", " × "))
            sp = " " if self.chance(0.8) else ""
            dims = [fmt_num(big, self.comma), fmt_num(d2, self.comma), fmt_num(d3, self.comma)]
            if self.chance(0.5):
                dims = dims[:2]
            return x.join(dims) + sp + unit
        return self.mm_text(t, unit)

    # ------------------------------------------------------------------ value phrases
    def grade_triple(self) -> tuple[int, int, int]:
        if self._grade_triple is None:
            g = int(self.v["grade"])  # type: ignore[arg-type]
            self._grade_triple = self.r.choice(_TRIPLES[g])
        return self._grade_triple

    def grade_text(self, ctx: str) -> str:
        g = int(self.v["grade"])  # type: ignore[arg-type]
        a, b, c = self.grade_triple()
        s, rn = a + b + c, ROMAN[g]
        forms: dict[str, tuple[str, ...]]
        if self.fr:
            forms = {
                "prose": (
                    f"grade SBR {rn}",
                    f"SBR {rn}",
                    f"grade {g}",
                    f"grade histopronostique SBR {g}",
                    f"grade {g} de Elston et Ellis",
                    f"grade SBR modifié {rn} ({a}+{b}+{c})",
                    f"grade {g} ({a}+{b}+{c}={s})",
                    f"grade SBR {g} (score {s}/9)",
                    f"grade EE {rn}",
                    f"grade {rn} de Nottingham",
                    f"grade {g} (A{a} N{b} M{c})",
                ),
                "field": (
                    f"{g}",
                    f"{rn}",
                    f"{g} ({a}+{b}+{c})",
                    f"{g} (score {s})",
                    f"{rn} ({s}/9)",
                ),
                "compact": (f"SBR {rn}", f"SBR{g}", f"EE{g}", f"grade {g}", f"SBR {g}", f"EE {rn}"),
            }
        else:
            forms = {
                "prose": (
                    f"Nottingham grade {g}",
                    f"grade {g}",
                    f"histologic grade {g}",
                    f"grade {rn}",
                    f"Nottingham score {s}/9, grade {g}",
                    f"grade {g} (tubules {a}, nuclei {b}, mitoses {c}; score {s})",
                    f"modified Bloom-Richardson grade {g} ({a}+{b}+{c}={s})",
                    f"Elston-Ellis grade {rn}",
                    f"overall grade {g}",
                ),
                "field": (
                    f"{g}",
                    f"Grade {g}",
                    f"{rn}",
                    f"{g} (score {s}/9)",
                    f"Grade {g} ({a}+{b}+{c}={s})",
                ),
                "compact": (f"G{g}", f"grade {g}", f"Nottingham {g}", f"grade {rn}"),
            }
        return self.pick(forms[ctx])

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
        pos = self.v[key] == "positive"
        p = self.pct(key)
        sp = " " if self.chance(0.6) else ""
        ps = f"{p}{sp}%"
        intens = self.r.randint(1, 3) if pos else 0
        score = (0 if p == 0 else 2 if p <= 10 else 3 if p <= 33 else 4 if p <= 66 else 5) + intens
        if self.fr:
            iw = ("faible", "modérée", "forte")[intens - 1] if pos else ""
            short = {"re": ("RE", "RO"), "rp": ("RP",)}[key]
            if ctx == "compact":
                lab = self.pick(short)
                return f"{lab}+ {ps}" if pos else self.pick((f"{lab}-", f"{lab} 0%", f"{lab} neg"))
            if pos:
                return self.pick(
                    (
                        f"positifs ({ps})",
                        f"positifs à {ps}, intensité {iw}",
                        f"{ps} de cellules marquées, intensité {iw} (positifs)",
                        f"positifs ({ps}, marquage d'intensité {iw})",
                        f"positifs (score d'Allred {score}/8)",
                        "positifs",
                        f"positifs : {ps}",
                        f"{ps}",
                    )
                )
            return self.pick(
                (
                    "négatifs (0 %)",
                    "négatifs (< 1 %)",
                    "négatifs",
                    "absence de marquage (négatifs)",
                    "0 %",
                    "négatifs (0%)",
                )
            )
        short = {"re": ("ER",), "rp": ("PR", "PgR")}[key]
        iw = ("weak", "moderate", "strong")[intens - 1] if pos else ""
        if ctx == "compact":
            lab = self.pick(short)
            return f"{lab}+ {ps}" if pos else self.pick((f"{lab}-", f"{lab} neg", f"{lab} 0%"))
        if pos:
            return self.pick(
                (
                    f"positive ({ps})",
                    f"positive ({ps}, {iw})",
                    f"positive, {ps} of tumor cells, {iw} intensity",
                    f"positive (Allred score {score}/8)",
                    f"{ps}, {iw} (positive)",
                    "positive",
                    f"{ps} positive",
                )
            )
        return self.pick(
            ("negative (0%)", "negative (<1%)", "negative", "negative, no staining", "0%")
        )

    def her2_text(self, ctx: str) -> str:
        pos = self.v["her2"] == "positive"
        if self.fr:
            if ctx == "compact":
                return (
                    self.pick(("HER2 3+", "HER2+", "HER2 amplifié"))
                    if pos
                    else self.pick(("HER2 0", "HER2 1+", "HER2-", "HER2 2+ FISH-"))
                )
            if pos:
                return self.pick(
                    (
                        "positif (score 3+)",
                        "score 3+",
                        "3+ (positif)",
                        "surexprimé (score 3+)",
                        "score 2+, amplifié en FISH",
                        "2+ avec amplification en SISH (positif)",
                        "amplifié",
                        "positif",
                    )
                )
            return self.pick(
                (
                    "négatif (score 0)",
                    "score 0",
                    "score 1+ (négatif)",
                    "score 2+, FISH non amplifié",
                    "2+ non amplifié",
                    "non surexprimé (1+)",
                    "négatif",
                    "négatif (score 1+, HER2-low)",
                    "score 2+, absence d'amplification en SISH (négatif)",
                )
            )
        if ctx == "compact":
            return (
                self.pick(("HER2 3+", "HER2+", "HER2 amplified"))
                if pos
                else self.pick(("HER2 0", "HER2 1+", "HER2-", "HER2 2+ FISH neg"))
            )
        if pos:
            return self.pick(
                (
                    "positive (3+)",
                    "score 3+",
                    "3+, positive",
                    "positive (IHC 2+, FISH amplified)",
                    "amplified by FISH",
                    "positive",
                    "overexpressed (3+)",
                )
            )
        return self.pick(
            (
                "negative (0)",
                "negative (score 1+)",
                "1+ (negative)",
                "equivocal (2+), FISH not amplified",
                "2+ not amplified",
                "negative",
                "score 0",
                "negative (1+, HER2-low)",
            )
        )

    def ki67_text(self) -> str:
        k = float(self.v["ki67"])  # type: ignore[arg-type]
        sp = " " if self.chance(0.6) else ""
        return f"{fmt_num(k, self.comma, 1)}{sp}%"

    def margin_text(self, ctx: str) -> str:
        yes = self.v["marges_saines"] == "yes"
        if ctx == "field":
            if self.fr:
                return (
                    self.pick(("saines", "non atteintes", "in sano", "saines"))
                    if yes
                    else self.pick(("atteintes", "atteinte", "envahies"))
                )
            return (
                self.pick(("negative", "clear", "uninvolved", "free of tumor"))
                if yes
                else self.pick(("involved", "positive", "involved by carcinoma"))
            )
        extra_yes: tuple[str, ...]
        extra_no: tuple[str, ...]
        if self.fr:
            extra_yes = (
                "berges d'exérèse saines",
                "limites d'exérèse non atteintes",
                "marges chirurgicales saines",
                "exérèse complète",
            )
            extra_no = (
                "berges d'exérèse atteintes",
                "limites d'exérèse atteintes",
                "exérèse incomplète",
            )
        else:
            extra_yes = (
                "all margins negative",
                "margins negative for carcinoma",
                "surgical margins free of tumor",
            )
            extra_no = (
                "margin involved by invasive carcinoma",
                "positive margins",
                "margins involved",
            )
        if self.chance(0.5):
            return self.pick(extra_yes if yes else extra_no)
        return self.surface("marges_saines")

    def margin_tail(self) -> str:
        """Filler after a margin status: the closest margin (clear) or which one (involved)."""
        side = self.pick(_MARGIN_SIDES[self.lang])
        if self.v["marges_saines"] == "yes":
            if not self.chance(0.45):
                return ""
            d = self.r.choice((1, 2, 3, 4, 5, 6, 8, 10, 12, 15))
            dd = f"{d} mm" if self.chance(0.7) else f"{fmt_num(d / 10, self.comma)} cm"
            if self.fr:
                return self.pick(
                    (
                        f", la plus proche à {dd} (berge {side})",
                        f" (marge minimale : {dd}, {side})",
                        f", berge {side} à {dd}",
                    )
                )
            return self.pick(
                (
                    f"; closest margin {side}, {dd}",
                    f" (closest: {side}, {dd})",
                    f", {dd} from the {side} margin",
                )
            )
        if not self.chance(0.5):
            return ""
        if self.fr:
            return self.pick(
                (f" (berge {side})", f" au niveau de la berge {side}", f" : berge {side}")
            )
        return self.pick((f" ({side} margin)", f" at the {side} margin", f", {side}"))

    def yesno_text(self, key: str, ctx: str) -> str:
        yes = self.v[key] == "yes"
        extra: tuple[str, ...]
        if ctx == "field":
            if self.fr:
                if key == "emboles":
                    return (
                        self.pick(("présents", "oui", "présence"))
                        if yes
                        else self.pick(("absents", "non", "non vus", "absence"))
                    )
                return (
                    self.pick(("présente", "oui"))
                    if yes
                    else self.pick(("absente", "non", "pas de rupture"))
                )
            return (
                self.pick(("present", "identified", "yes", "present (focal)"))
                if yes
                else self.pick(("not identified", "absent", "no", "negative"))
            )
        if self.fr:
            if key == "emboles":
                extra = (
                    (
                        "présence d'emboles vasculaires",
                        "emboles lymphovasculaires présents",
                        "présence d'emboles tumoraux péri-tumoraux",
                    )
                    if yes
                    else (
                        "absence d'emboles vasculaires",
                        "pas d'emboles lymphovasculaires",
                        "absence d'embole tumoral",
                    )
                )
            else:
                extra = (
                    ("avec rupture capsulaire", "avec effraction capsulaire")
                    if yes
                    else (
                        "sans rupture capsulaire",
                        "pas de rupture capsulaire",
                        "sans effraction capsulaire",
                    )
                )
        elif key == "emboles":
            extra = (
                (
                    "lymphovascular invasion present",
                    "LVI present",
                    "lymphovascular invasion identified",
                )
                if yes
                else (
                    "no lymphovascular invasion",
                    "no LVI identified",
                    "lymphovascular invasion not identified",
                    "negative for lymphovascular invasion",
                )
            )
        else:
            extra = (
                ("with extracapsular extension", "extranodal extension present")
                if yes
                else (
                    "without extracapsular extension",
                    "no extranodal extension",
                    "extranodal extension not identified",
                )
            )
        if self.chance(0.5):
            return self.pick(extra)
        return self.surface(key)

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
                room = [
                    s for s in specs if s.prel is not None and s.att is not None and s.att < s.prel
                ]
                first = [s for s in room if s.kind == "sn"]
                target = first[0] if first and r.random() < 0.6 else r.choice(room)
                target.att = (target.att or 0) + 1
            if r.random() < 0.08:
                free = [
                    s
                    for s in specs
                    if s.prel is not None and s.att is not None and s.prel - s.att >= 1
                ]
                if free:
                    r.choice(free).itc = 1
        return specs

    def node_kind_label(self, spec: NodeSpecimen, upper: bool = False) -> str:
        side = self.side
        if self.fr:
            if spec.kind == "sn":
                if spec.number:
                    opts: tuple[str, ...] = (
                        f"ganglion sentinelle n°{spec.number}",
                        f"GS{spec.number}",
                        f"GS n°{spec.number}",
                    )
                else:
                    opts = (
                        "ganglion sentinelle",
                        f"ganglion sentinelle axillaire {side}",
                        "GS",
                        "ganglions sentinelles",
                        "prélèvement du ganglion sentinelle",
                    )
            elif spec.kind == "ax":
                opts = (
                    "curage axillaire",
                    f"curage axillaire {side}",
                    "curage ganglionnaire",
                    "CA",
                    "évidement axillaire",
                )
            else:
                opts = (
                    "ganglions axillaires",
                    "ganglions",
                    f"ganglions axillaires {side}s"
                    if side == "droit"
                    else "ganglions axillaires gauches",
                )
        elif spec.kind == "sn":
            if spec.number:
                opts = (
                    f"sentinel lymph node #{spec.number}",
                    f"SLN {spec.number}",
                    f"sentinel node {spec.number}",
                )
            else:
                opts = (
                    "sentinel lymph node",
                    f"{side} axillary sentinel lymph node",
                    "SLN",
                    "sentinel node(s)",
                    "sentinel lymph nodes",
                )
        elif spec.kind == "ax":
            opts = (
                "axillary dissection",
                f"{side} axillary dissection",
                "ALND",
                "axillary contents",
                "non-sentinel lymph nodes",
            )
        else:
            opts = ("lymph nodes", "axillary lymph nodes", "regional lymph nodes")
        s = self.pick(opts)
        return s.upper() if upper else s

    def node_counts(self, spec: NodeSpecimen, spanned: bool) -> None:
        """One specimen's counts (``k/n``, ``k of n``...), spanned or plain."""
        n, k = spec.prel, spec.att

        def num(key: str, x: int) -> None:
            if spanned:
                self.val(key, str(x))
            else:
                self.w.raw(str(x))

        fr = self.fr
        if n is not None and k is not None:
            form = self.r.randint(0, 4)
            if form == 0:
                num("numero_gang_att", k)
                self.w.raw("/")
                num("numero_gang_prel", n)
            elif form == 1:
                num("numero_gang_att", k)
                self.w.raw("N+/" if fr else "+/")
                num("numero_gang_prel", n)
                self.w.raw("N" if fr else "")
            elif form == 2 and k > 0:
                num("numero_gang_att", k)
                self.t(
                    f" {plural(k, 'ganglion métastatique', 'ganglions métastatiques')} sur "
                    if fr
                    else " of "
                )
                num("numero_gang_prel", n)
                self.t(
                    ""
                    if fr
                    else f" {plural(n, 'lymph node', 'lymph nodes')} positive for metastatic carcinoma"
                )
            elif form == 3:
                num("numero_gang_prel", n)
                if fr:
                    self.t(f" {plural(n, 'ganglion examiné', 'ganglions examinés')}, ")
                    num("numero_gang_att", k)
                    self.t(
                        f" {plural(k, 'métastatique', 'métastatiques') if k else 'métastatique'}"
                    )
                else:
                    self.t(f" {plural(n, 'node', 'nodes')} examined, ")
                    num("numero_gang_att", k)
                    self.t(" with metastasis" if k else " positive")
            else:
                if k == 0:
                    self.t(
                        self.pick(("indemne de métastase", "sans métastase", "négatif"))
                        if fr and n == 1
                        else self.pick(
                            ("indemnes de métastase", "sans métastase", "non métastatiques")
                        )
                        if fr
                        else self.pick(
                            ("negative for metastatic carcinoma", "no metastasis", "benign")
                        )
                    )
                else:
                    self.t(
                        self.pick(("métastatique", "siège d'une métastase", "envahi"))
                        if fr
                        else self.pick(
                            (
                                "positive for metastatic carcinoma",
                                "with metastatic carcinoma",
                                "metastatic",
                            )
                        )
                    )
                self.w.raw(" (")
                num("numero_gang_att", k)
                self.w.raw("/")
                num("numero_gang_prel", n)
                self.w.raw(")")
        elif n is not None:
            num("numero_gang_prel", n)
            self.t(
                f" {plural(n, 'ganglion examiné', 'ganglions examinés')}"
                if fr
                else f" {plural(n, 'lymph node', 'lymph nodes')} examined"
            )
        elif k is not None:
            num("numero_gang_att", k)
            self.t(
                f" {plural(k, 'ganglion métastatique', 'ganglions métastatiques')}"
                if fr
                else f" {plural(k, 'metastatic lymph node', 'metastatic lymph nodes')}"
            )
        if spec.itc:
            self.t(
                self.pick(
                    (
                        ", dont un avec cellules tumorales isolées",
                        " (un ganglion avec des cellules tumorales isolées, pN0(i+))",
                    )
                )
                if fr
                else self.pick(
                    (
                        "; one node with isolated tumor cells only",
                        " (isolated tumor cells in one node, ITC)",
                    )
                )
            )

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
        if spec.att and spec.att > 0:
            self.t(", ")
            self.val("rupture_capsulaire", self.yesno_text("rupture_capsulaire", "prose"))
            self.rupture_done = True

    def nodes_total(self, ctx: str) -> None:
        """The node totals as one statement (spanned)."""
        prel, att = self.v.get("numero_gang_prel"), self.v.get("numero_gang_att")
        total = NodeSpecimen(
            "ln", None if prel is None else int(prel), None if att is None else int(att)
        )
        if ctx == "field":
            self.node_counts(total, spanned=True)
        else:
            self.t(
                self.pick(("Au total : ", "Soit ", "Total : ", "Statut ganglionnaire : "))
                if self.fr
                else self.pick(("Total: ", "Overall ", "Lymph node status: "))
            )
            self.node_counts(total, spanned=True)
        if self.known("rupture_capsulaire") and not self.rupture_done:
            self.t(", ")
            self.val("rupture_capsulaire", self.yesno_text("rupture_capsulaire", "prose"))
            self.rupture_done = True

    def nodes_block(self, where: str) -> None:
        """Write the node counts once in the chosen presentation (``prose`` or ``lines``)."""
        if self.nodes_done:
            return
        self.nodes_done = True
        if not self.node_specs:
            self.rupture_alone(where)
            return
        if self.node_mode == "total":
            if self.chance(0.6):
                if where == "lines":
                    self.node_lines(spanned=False)
                else:
                    self.node_prose(spanned=False)
            self.nodes_total("prose")
            self.t(".\n" if where == "lines" else ". ")
        elif where == "lines":
            self.node_lines(spanned=True)
        else:
            self.node_prose(spanned=True)
        self.rupture_alone(where)

    def rupture_alone(self, where: str) -> None:
        if self.rupture_done:
            return
        if self.known("rupture_capsulaire"):
            self.rupture_done = True
            if where == "lines":
                self.t(self.label("rupture_capsulaire") + self.sep())
                self.val("rupture_capsulaire", self.yesno_text("rupture_capsulaire", "field"))
                self.t("\n")
            else:
                self.val("rupture_capsulaire", cap(self.yesno_text("rupture_capsulaire", "prose")))
                self.t(". ")
        elif self.node_specs and not self.v.get("numero_gang_att") and self.chance(0.15):
            # "not applicable" is what real reports say when there is no metastatic node.
            # Written intact: noise must not turn "not applicable" into something else.
            self.w.raw(
                self.pick(
                    ("Rupture capsulaire : sans objet", "Rupture capsulaire : non applicable")
                )
                if self.fr
                else "Extranodal extension: not applicable"
            )
            self.t("\n" if where == "lines" else ". ")

    def ptnm(self) -> str:
        """pT / pN derived from the record (a distractor: it restates no value exactly)."""
        parts = []
        if self.known("taille"):
            t = float(self.v["taille"])  # type: ignore[arg-type]
            pt = (
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
            parts.append(pt)
        att = self.v.get("numero_gang_att")
        if att is not None and self.node_specs:
            a = int(att)
            sn = all(s.kind == "sn" for s in self.node_specs)
            itc = any(s.itc for s in self.node_specs)
            pn = (
                "pN0(i+)"
                if a == 0 and itc
                else "pN0"
                if a == 0
                else "pN1a"
                if a <= 3
                else "pN2a"
                if a <= 9
                else "pN3a"
            )
            if sn and a <= 3:
                pn += "(sn)"
            parts.append(pn)
        if not parts:
            return ""
        if self.chance(0.3):
            parts.append("pMx" if self.chance(0.5) else "cM0")
        text = " ".join(parts)
        if self.chance(0.4):
            text += (
                self.pick((" (TNM 8e édition, UICC 2017)", " (AJCC 8e éd.)"))
                if self.fr
                else self.pick((" (AJCC 8th edition)", " (UICC TNM, 8th ed.)"))
            )
        return text

    # ------------------------------------------------------------------ distractor blocks
    def history(self) -> None:
        fr = self.fr
        age = self.r.randint(32, 88)
        q = self.pick(_QUADRANTS[self.lang]).format(h=self.r.randint(1, 12), d=self.r.randint(1, 6))
        bits: list[str] = []
        if fr:
            bits.append(
                self.pick((f"Patiente de {age} ans", f"Mme X., {age} ans", f"Femme de {age} ans"))
            )
            bits.append(
                self.pick(
                    (
                        f"nodule du {q} du sein {self.side}",
                        f"lésion du {q} {self.side} classée ACR {self.r.choice((4, 5))}",
                        f"masse palpable du sein {self.side}, {q}",
                    )
                )
            )
            if self.v.get("echantillon") not in ("biopsy", None) and self.chance(0.6):
                bits.append(
                    self.pick(
                        (
                            "microbiopsie antérieure : carcinome infiltrant",
                            f"diagnostic sur microbiopsie du {self.date()}",
                            "biopsie préalable positive",
                        )
                    )
                )
            if self.chance(0.2):
                bits.append(
                    f"antécédent de carcinome du sein controlatéral traité en {self.r.randint(1995, 2015)}"
                )
            if self.chance(0.3):
                bits.append("pas de traitement néoadjuvant")
        else:
            bits.append(
                self.pick(
                    (
                        f"{age}-year-old woman",
                        f"{age} y/o female",
                        f"Patient is a {age}-year-old female",
                    )
                )
            )
            bits.append(
                self.pick(
                    (
                        f"{self.side} breast mass, {q}",
                        f"BI-RADS {self.r.choice((4, 5))} lesion of the {self.side} breast, {q}",
                        f"palpable {self.side} breast mass at {q}",
                    )
                )
            )
            if self.v.get("echantillon") not in ("biopsy", None) and self.chance(0.6):
                bits.append(
                    self.pick(
                        (
                            "prior core biopsy showed invasive carcinoma",
                            f"core biopsy on {self.date()} positive for carcinoma",
                            "history of biopsy-proven carcinoma",
                        )
                    )
                )
            if self.chance(0.2):
                bits.append(
                    f"history of contralateral breast cancer treated in {self.r.randint(1995, 2015)}"
                )
            if self.chance(0.3):
                bits.append("no neoadjuvant therapy")
        self.t(cap("; ".join(bits) if self.chance(0.4) else ". ".join(cap(b) for b in bits)) + ".")

    def gross(self) -> None:
        """Gross description: specimen named (the echantillon value), dimensions and weight."""
        fr = self.fr
        t = float(self.v["taille"]) if self.known("taille") else 20.0  # type: ignore[arg-type]
        a = round(t / 10 + self.r.uniform(2.0, 8.0), 1)
        b = round(a * self.r.uniform(0.5, 0.9), 1)
        c = round(b * self.r.uniform(0.3, 0.8), 1)
        dims = f"{fmt_num(a, self.comma)} x {fmt_num(b, self.comma)} x {fmt_num(c, self.comma)} cm"
        weight = max(3, round(a * b * c * self.r.uniform(0.7, 1.0)))
        if self.known("echantillon"):
            if fr:
                self.t(
                    self.pick(
                        (
                            "Pièce de ",
                            "Reçu une pièce de ",
                            "Prélèvement reçu fixé en formol : ",
                            "",
                        )
                    )
                )
            else:
                self.t(
                    self.pick(
                        (
                            "Received in formalin labeled with the patient's name, a ",
                            "The specimen is a ",
                            "Received fresh: ",
                            "",
                        )
                    )
                )
            self.val("echantillon", self.surface("echantillon"))
            self.t(self.side_after() if self.chance(0.5) else "")
            if fr:
                self.t(
                    self.pick(
                        (
                            ", orientée par deux fils",
                            ", non orientée",
                            "",
                            " orientée (fil court : supérieur, fil long : externe)",
                        )
                    )
                )
                self.t(f", mesurant {dims} et pesant {weight} g. ")
            else:
                self.t(
                    self.pick(
                        (
                            ", oriented with sutures (short superior, long lateral)",
                            ", unoriented",
                            "",
                        )
                    )
                )
                self.t(f", measuring {dims} and weighing {weight} g. ")
        else:
            self.t(
                f"Pièce mesurant {dims}, pesant {weight} g. "
                if fr
                else f"Specimen measuring {dims}, weighing {weight} g. "
            )
        if self.known("taille") and self.chance(0.4):
            self.t(
                self.pick(
                    (
                        "À la coupe, lésion stellaire blanchâtre et ferme de ",
                        "Tranche de section : nodule mal limité de ",
                        "Lésion indurée mesurant ",
                    )
                )
                if fr
                else self.pick(
                    (
                        "Sectioning reveals a firm, tan-white, stellate mass measuring ",
                        "Cut surface shows an ill-defined lesion, ",
                    )
                )
            )
            self.val("taille", self.size_text())
            self.t(". ")
        elif self.chance(0.5):
            self.t("Lésion mal limitée. " if fr else "Ill-defined firm area. ")
        if self.known("marges_saines") and self.chance(0.4):
            self.t("Encrage des berges à l'encre de Chine. " if fr else "The margins are inked. ")
        if self.chance(self.distractors * 0.6):
            self.t(
                self.pick(
                    (
                        "Clip de repérage retrouvé. ",
                        "Présence d'un harpon de repérage. ",
                        "Tissu adipeux prédominant. ",
                    )
                )
                if fr
                else self.pick(
                    (
                        "A biopsy clip is identified. ",
                        "The remaining tissue is fatty. ",
                        "A localization wire is present. ",
                    )
                )
            )
        if self.chance(0.5):
            n = self.r.randint(3, 24)
            self.t(
                f"Inclusion en totalité, blocs A1 à A{n}."
                if fr
                else f"Representative sections submitted in cassettes A1-A{n}."
            )
        if self.node_specs and self.chance(0.5):
            self.t(
                " Tissu adipeux axillaire contenant des formations ganglionnaires, incluses en totalité."
                if fr
                else " Axillary fat with lymph nodes, entirely submitted."
            )

    def dcis(self) -> None:
        """A DCIS component with its own grade, extent and share (a distractor)."""
        if self.v.get("diagnostic") in ("8500/2", None) or not self.chance(
            0.35 + 0.3 * self.distractors
        ):
            return
        ng = self.r.randint(1, 3)
        ext = self.r.randint(2, 40)
        share = self.r.choice((5, 10, 15, 20, 30, 40))
        if self.fr:
            ngw = ("bas", "intermédiaire", "haut")[ng - 1]
            self.t(
                self.pick(
                    (
                        f"Composante de carcinome canalaire in situ de grade nucléaire {ngw}, de type {self.pick(('cribriforme', 'solide', 'comédonien', 'micropapillaire'))}, représentant {share} % de la tumeur",
                        f"CCIS associé de grade nucléaire {ng}, étendu sur {ext} mm",
                        f"Carcinome intracanalaire associé ({share} %), de haut grade avec nécrose",
                        f"Composante in situ de {ext} mm, grade nucléaire {ngw}",
                    )
                )
            )
            if self.chance(0.4):
                self.t(", avec microcalcifications")
        else:
            self.t(
                self.pick(
                    (
                        f"Ductal carcinoma in situ, nuclear grade {ng}, {self.pick(('solid', 'cribriform', 'comedo'))} type, comprising {share}% of the tumor",
                        f"DCIS present, intermediate to high nuclear grade, extent {ext} mm",
                        f"Associated DCIS (nuclear grade {ng}) with comedonecrosis, {share}% of tumor volume",
                        f"Extensive intraductal component absent; focal DCIS, {ext} mm",
                    )
                )
            )
            if self.chance(0.4):
                self.t(", with microcalcifications")
        self.t(". ")

    def benign_extra(self) -> None:
        if not self.chance(self.distractors * 0.5):
            return
        if self.fr:
            self.t(
                self.pick(
                    (
                        "Mastopathie fibrokystique sans atypie. ",
                        "Microcalcifications dans le tissu mammaire bénin. ",
                        "Cicatrice de biopsie. ",
                        "Hyperplasie canalaire simple. ",
                        "Lésions de métaplasie cylindrique. ",
                    )
                )
            )
        else:
            self.t(
                self.pick(
                    (
                        "Fibrocystic changes without atypia. ",
                        "Microcalcifications in benign ducts. ",
                        "Biopsy site changes. ",
                        "Usual ductal hyperplasia. ",
                        "Columnar cell change. ",
                    )
                )
            )

    def technique(self) -> None:
        """Antibody clones and controls; only for markers the report states."""
        if not self.chance(self.distractors * 0.6):
            return
        clones = []
        if self.known("re"):
            clones.append(self.pick(("RE clone SP1", "anti-ER (SP1)", "ER 6F11")))
        if self.known("rp"):
            clones.append(self.pick(("RP clone 1E2", "PgR 636", "anti-PR (16)")))
        if self.known("her2"):
            clones.append(self.pick(("HER2 4B5", "HercepTest", "HER2 (CB11)")))
        if self.known("ki67"):
            clones.append(self.pick(("Ki67 MIB-1", "Ki-67 (30-9)")))
        if not clones:
            return
        if self.fr:
            self.t(
                f"Technique : immunohistochimie automatisée ({', '.join(clones)}), contrôles internes et externes satisfaisants.\n"
            )
        else:
            self.t(
                f"Method: automated immunohistochemistry ({', '.join(clones)}); external and internal controls appropriate. Fixation time 6-72 h.\n"
            )

    def header(self) -> None:
        if not self.chance(0.75):
            return
        fr = self.fr
        num = f"{self.r.choice(('H', 'B', 'S', 'P'))}{self.r.randint(12, 25)}-{self.r.randint(1, 99999):05d}"
        if fr:
            title = self.pick(
                (
                    "COMPTE RENDU ANATOMO-PATHOLOGIQUE",
                    "Compte rendu d'examen anatomopathologique",
                    "ANATOMIE ET CYTOLOGIE PATHOLOGIQUES",
                    "Examen histologique",
                )
            )
            self.t(title + "\n")
            if self.chance(0.6):
                self.t(f"N° d'examen : {num}   Prélevé le {self.date()}   Reçu le {self.date()}\n")
            if self.chance(0.3):
                self.t(f"Médecin prescripteur : Dr {self.initials()}\n")
        else:
            title = self.pick(
                (
                    "SURGICAL PATHOLOGY REPORT",
                    "Surgical Pathology Report",
                    "PATHOLOGY REPORT",
                    "Final Pathologic Diagnosis",
                )
            )
            self.t(title + "\n")
            if self.chance(0.6):
                self.t(f"Accession #: {num}   Collected: {self.date()}   Received: {self.date()}\n")
            if self.chance(0.3):
                self.t(f"Submitting physician: Dr {self.initials()}\n")
        self.t("\n")

    def signature(self) -> None:
        if not self.chance(0.5):
            return
        if self.fr:
            self.t(
                self.pick(
                    (
                        f"\nDr {self.initials()}, pathologiste\n",
                        f"\nCompte rendu validé électroniquement le {self.date()}.\n",
                        "\nSignature : le pathologiste.\n",
                    )
                )
            )
        else:
            self.t(
                self.pick(
                    (
                        f"\nElectronically signed out by: Dr {self.initials()}, pathologist, on {self.date()}\n",
                        "\nPathologist: [signature on file]\n",
                        f"\nReport finalized {self.date()}.\n",
                    )
                )
            )
        if self.chance(self.distractors * 0.15):
            if self.fr:
                self.t(
                    f"\nADDENDUM du {self.date()} : dossier présenté en RCP, conclusions inchangées.\n"
                )
            else:
                self.t(
                    f"\nADDENDUM ({self.date()}): case reviewed at tumor board; the diagnosis is unchanged.\n"
                )

    # ------------------------------------------------------------------ content blocks
    def tumour_sentence(self) -> None:
        """Diagnostic, grade and size in one sentence (what is known of them)."""
        fr = self.fr
        has = [k for k in ("diagnostic", "grade", "taille") if self.known(k)]
        if not has:
            return
        if self.known("diagnostic"):
            intro = (
                self.pick(
                    (
                        "il s'agit d'un ",
                        "prolifération tumorale correspondant à un ",
                        "",
                        "aspect de ",
                    )
                )
                if fr
                else self.pick(("", "sections show ", "the tumor is an ", ""))
            )
            self.t(cap(intro) if self.at_start() else intro)
            d = self.surface("diagnostic")
            self.val("diagnostic", cap(d) if self.at_start() else d)
        else:
            self.t("Prolifération tumorale" if fr else "Tumor")
        if self.known("grade"):
            self.t(self.pick((", ", " de ", ", ")) if fr else self.pick((", ", ", ")))
            g = self.grade_text("prose")
            if fr and self.w.tail(4) == " de " and not g.startswith("grade"):
                g = "grade " + g
            self.val("grade", g)
        if self.known("taille"):
            self.t(
                self.pick((", mesurant ", " de ", ", de ", ", taille : ", ", "))
                if fr
                else self.pick((", measuring ", ", ", ", size ", " of "))
            )
            self.val("taille", self.size_text())
            if self.chance(0.3):
                self.t(" de grand axe" if fr else " in greatest dimension")
        self.t(". ")

    def emboles_margins(self) -> None:
        if self.known("emboles"):
            self.val("emboles", cap(self.yesno_text("emboles", "prose")))
            self.t(". ")
        if self.known("marges_saines"):
            self.val("marges_saines", cap(self.margin_text("prose")))
            self.t(self.margin_tail() + ". ")

    def ihc_prose(self) -> None:
        fr = self.fr
        order = ["re", "rp", "her2", "ki67"]
        for key in order:
            if not self.known(key):
                continue
            if key in ("re", "rp"):
                if self.chance(0.2):
                    self.val(key, self.receptor_text(key, "compact"))
                else:
                    self.t(self.label(key) + self.sep())
                    self.val(key, self.receptor_text(key, "field"))
            elif key == "her2":
                self.t(
                    self.label("her2") + self.pick((" : ", " ", " - "))
                    if fr
                    else self.label("her2") + self.pick((": ", " "))
                )
                self.val("her2", self.her2_text("field"))
            else:
                self.t(
                    self.pick(
                        (
                            "Index de prolifération Ki67 estimé à ",
                            "Ki67 : ",
                            "Ki-67 à ",
                            "MIB1 : ",
                            "Indice de prolifération (Ki67) : ",
                        )
                    )
                    if fr
                    else self.pick(
                        ("Ki-67 proliferation index: ", "Ki67 ", "Ki-67: ", "MIB-1 labeling index ")
                    )
                )
                self.val("ki67", self.ki67_text())
            self.t(self.pick((". ", ". ", "; ", ".\n")))

    def ihc_lines(self, bullet: str = "") -> None:
        for key in ("re", "rp", "her2", "ki67"):
            if not self.known(key):
                continue
            self.t(bullet + self.label(key) + self.sep())
            if key in ("re", "rp"):
                self.val(key, self.receptor_text(key, "field"))
            elif key == "her2":
                self.val(key, self.her2_text("field"))
            else:
                self.val(key, self.ki67_text())
            self.t("\n")

    # ------------------------------------------------------------------ field lines
    def field(self, key: str, bullet: str = "") -> None:
        """One ``Label : value`` line of a checklist."""
        if key in ("numero_gang_prel", "numero_gang_att", "rupture_capsulaire"):
            return
        if not self.known(key):
            return
        self.t(bullet + self.label(key) + self.sep())
        if key in ("echantillon", "diagnostic"):
            self.val(key, self.surface(key))
            if key == "echantillon" and self.chance(0.4):
                self.t(self.side_after())
        elif key == "grade":
            self.val(key, self.grade_text("field"))
        elif key == "taille":
            self.val(key, self.size_text())
        elif key == "marges_saines":
            self.val(key, self.margin_text("field"))
            self.t(self.margin_tail())
        elif key == "emboles":
            self.val(key, self.yesno_text(key, "field"))
        elif key in ("re", "rp"):
            self.val(key, self.receptor_text(key, "field"))
        elif key == "her2":
            self.val(key, self.her2_text("field"))
        elif key == "ki67":
            self.val(key, self.ki67_text())
        self.t("\n")

    def node_fields(self, bullet: str = "") -> None:
        """Node counts as checklist lines (totals in separate lines, or per specimen)."""
        if self.nodes_done:
            return
        if not self.node_specs:
            self.nodes_done = True
            self.rupture_alone("lines")
            return
        if self.node_mode == "total" or len(self.node_specs) == 1:
            self.nodes_done = True
            prel, att = self.v.get("numero_gang_prel"), self.v.get("numero_gang_att")
            if self.chance(0.5):
                if prel is not None:
                    self.t(
                        bullet
                        + self.label(
                            "numero_gang_prel",
                            ("Nombre de ganglions examinés",)
                            if self.fr
                            else ("Number of lymph nodes examined",),
                        )
                        + self.sep()
                    )
                    self.val("numero_gang_prel", str(prel))
                    self.t("\n")
                if att is not None:
                    self.t(
                        bullet
                        + self.label(
                            "numero_gang_att",
                            ("Nombre de ganglions envahis",)
                            if self.fr
                            else ("Number of lymph nodes with metastasis",),
                        )
                        + self.sep()
                    )
                    self.val("numero_gang_att", str(att))
                    self.t("\n")
            else:
                self.t(
                    bullet
                    + self.pick(("Ganglions", "Statut ganglionnaire", "Ganglions lymphatiques"))
                    + self.sep()
                    if self.fr
                    else bullet
                    + self.pick(("Lymph nodes", "Regional lymph nodes", "Nodal status"))
                    + self.sep()
                )
                self.nodes_total("field")
                if len(self.node_specs) > 1 and self.chance(0.5):
                    self.w.raw(" (")
                    for i, spec in enumerate(self.node_specs):
                        if i:
                            self.w.raw(" ; " if self.fr else "; ")
                        self.t(self.node_kind_label(spec) + " ")
                        self.node_counts(
                            NodeSpecimen(spec.kind, spec.prel, spec.att), spanned=False
                        )
                    self.w.raw(")")
                self.t("\n")
            self.rupture_alone("lines")
        else:
            self.nodes_done = True
            self.node_lines(spanned=True, bullet=bullet)
            self.rupture_alone("lines")

    # ------------------------------------------------------------------ layouts
    def render(self) -> None:
        layout = self.style["layout"]
        getattr(self, f"layout_{layout}")()

    def section(self, fr_titles: Sequence[str], en_titles: Sequence[str]) -> None:
        title = self.pick(fr_titles if self.fr else en_titles)
        form = self.style.get("headers", "upper")
        if form == "upper":
            title = title.upper()
        if self.w.tail(2) not in ("", "\n\n"):
            self.t("\n\n" if self.w.tail(1) != "\n" else "\n")
        self.t(
            title + self.pick(("\n", " :\n", ":\n", "\n"))
            if self.fr
            else title + self.pick(("\n", ":\n"))
        )

    def layout_sections(self, synoptic: bool = False) -> None:
        fr = self.fr
        self.header()
        if self.chance(0.75):
            self.section(
                ("Renseignements cliniques", "Indication", "Contexte clinique"),
                ("Clinical history", "Clinical information", "History"),
            )
            self.history()
        self.section(
            ("Macroscopie", "Examen macroscopique", "Description macroscopique"),
            ("Gross description", "Gross", "Macroscopic description"),
        )
        self.gross()
        self.section(
            ("Microscopie", "Examen microscopique", "Description histologique"),
            ("Microscopic description", "Microscopic", "Histology"),
        )
        self.tumour_sentence()
        self.dcis()
        self.emboles_margins()
        self.benign_extra()
        nodes_where = "micro" if (not synoptic and self.chance(0.6)) else "later"
        if nodes_where == "micro":
            self.t("\n")
            self.nodes_block("prose")
        separate_ihc = self.chance(0.5)
        if separate_ihc:
            self.section(
                ("Immunohistochimie", "Étude immunohistochimique", "Facteurs pronostiques"),
                ("Immunohistochemistry", "Biomarkers", "Ancillary studies"),
            )
            self.technique()
            if self.chance(0.5):
                self.ihc_lines()
            else:
                self.ihc_prose()
        elif not synoptic:
            self.t("\n")
            self.ihc_prose()
        self.section(
            ("Conclusion", "Conclusion", "Diagnostic"),
            ("Diagnosis", "Final diagnosis", "Impression"),
        )
        self.conclusion_paragraph(with_nodes=not synoptic)
        if synoptic:
            self.section(
                ("Compte rendu standardisé", "Données minimales (INCa)", "Synthèse"),
                ("Synoptic report", "Synoptic", "Cancer case summary"),
            )
            self.checklist(all_keys=True)
        elif not separate_ihc:
            self.ihc_remaining()
        self.signature()
        _ = fr

    def layout_sections_synoptic(self) -> None:
        self.layout_sections(synoptic=True)

    def ihc_remaining(self) -> None:
        if any(self.known(k) and k not in self.written for k in ("re", "rp", "her2", "ki67")):
            self.t("\n")
            self.ihc_prose()

    def conclusion_paragraph(self, with_nodes: bool = True) -> None:
        """A one-paragraph conclusion: specimen, tumour, margins, nodes, markers, pTNM."""
        fr = self.fr
        if self.known("echantillon"):
            self.val("echantillon", cap(self.surface("echantillon")))
            self.t(self.side_after() if self.chance(0.5) else "")
            self.t(self.pick((" : ", ". ", ", ")) if fr else self.pick((": ", ". ", ", ")))
        self.tumour_sentence()
        if self.chance(0.5):
            self.dcis()
        self.emboles_margins()
        if with_nodes:
            self.nodes_block("prose")
        if self.chance(0.5) or any(
            self.known(k) and k not in self.written for k in ("re", "rp", "her2", "ki67")
        ):
            self.ihc_compact_sentence()
        if self.chance(0.5):
            p = self.ptnm()
            if p:
                self.t(p + ". ")

    def ihc_compact_sentence(self) -> None:
        """Markers in one sentence (``RE+ 90%, RP 0%, HER2 1+, Ki67 20%``)."""
        keys = [k for k in ("re", "rp", "her2", "ki67") if self.known(k)]
        if not keys:
            return
        self.t(
            self.pick(("Profil immunohistochimique : ", "Facteurs pronostiques : ", ""))
            if self.fr
            else self.pick(("Biomarkers: ", "Receptors: ", ""))
        )
        for i, key in enumerate(keys):
            if i:
                self.w.raw(", ")
            if key in ("re", "rp"):
                if self.chance(0.5):
                    self.val(key, self.receptor_text(key, "compact"))
                else:
                    self.t(
                        self.pick(("RE", "RO")) + " "
                        if key == "re" and self.fr
                        else "RP "
                        if self.fr
                        else ("ER " if key == "re" else "PR ")
                    )
                    self.val(key, self.receptor_text(key, "field"))
            elif key == "her2":
                if self.chance(0.5):
                    self.val(key, self.her2_text("compact"))
                else:
                    self.t("HER2 ")
                    self.val(key, self.her2_text("field"))
            else:
                self.t("Ki67 " if self.chance(0.6) else "Ki-67 : " if self.fr else "Ki-67 ")
                self.val(key, self.ki67_text())
        self.t(". ")

    def checklist(self, all_keys: bool = True, bullet: str | None = None) -> None:
        """``Label : value`` lines in a partly shuffled order."""
        if bullet is None:
            bullet = self.pick(("", "", "- ", "* ", "• "))
        keys = [
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
        ]
        if self.chance(0.4):
            # Local swaps: real checklists follow a house order, rarely a random one.
            for _ in range(3):
                i = self.r.randrange(len(keys) - 1)
                keys[i], keys[i + 1] = keys[i + 1], keys[i]
        for key in keys:
            if key == "NODES":
                self.node_fields(bullet)
            else:
                self.field(key, bullet)
        if self.chance(0.5):
            p = self.ptnm()
            if p:
                self.t(bullet + ("Stade pTNM" if self.fr else "Pathologic stage") + self.sep())
                self.t(p + "\n")

    def layout_synoptic(self) -> None:
        self.header()
        if self.chance(0.4):
            self.history()
            self.t("\n\n")
        self.checklist()
        if self.chance(0.3):
            self.t("\n" + ("Commentaire : " if self.fr else "Comment: "))
            self.dcis()
            self.benign_extra()
        self.signature()

    def layout_table(self) -> None:
        fr = self.fr
        self.header()
        kind = self.pick(("pipe", "tab", "dots"))
        rows: list[tuple[str, Callable[[], None]]] = []
        for key in (
            "echantillon",
            "diagnostic",
            "grade",
            "taille",
            "emboles",
            "marges_saines",
            "re",
            "rp",
            "her2",
            "ki67",
        ):
            if self.known(key):
                rows.append((self.label(key), partial(self.cell, key)))
        if self.node_specs or self.known("rupture_capsulaire"):
            rows.insert(min(6, len(rows)), ("", _nothing))
        if kind == "pipe":
            self.t(
                "| Paramètre | Résultat |\n|---|---|\n"
                if fr
                else "| Parameter | Result |\n|---|---|\n"
            )
        for lab, fn in rows:
            if not lab:
                self.table_nodes(kind)
                continue
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
        if self.chance(0.4):
            p = self.ptnm()
            if p:
                self.t("\n" + p + "\n")
        self.signature()

    def cell(self, key: str) -> None:
        if key in ("echantillon", "diagnostic"):
            self.val(key, self.surface(key))
        elif key == "grade":
            self.val(key, self.grade_text("field"))
        elif key == "taille":
            self.val(key, self.size_text())
        elif key == "marges_saines":
            self.val(key, self.margin_text("field"))
        elif key == "emboles":
            self.val(key, self.yesno_text(key, "field"))
        elif key in ("re", "rp"):
            self.val(key, self.receptor_text(key, "field"))
        elif key == "her2":
            self.val(key, self.her2_text("field"))
        else:
            self.val(key, self.ki67_text())

    def table_nodes(self, kind: str) -> None:
        self.nodes_done = True
        fr = self.fr
        specs = self.node_specs if self.node_mode == "parts" else []
        lines: list[tuple[str, Callable[[], None]]] = []
        for spec in specs:
            lines.append((cap(self.node_kind_label(spec)), partial(self.node_counts, spec, True)))
        if not specs and self.node_specs:
            lines.append(
                (
                    "Ganglions (N+/N)" if fr else "Lymph nodes (positive/examined)",
                    lambda: self.node_counts(
                        NodeSpecimen(
                            "ln", self._int("numero_gang_prel"), self._int("numero_gang_att")
                        ),
                        True,
                    ),
                )
            )
        if self.known("rupture_capsulaire"):
            self.rupture_done = True
            lines.append(
                (
                    self.label("rupture_capsulaire"),
                    lambda: self.val(
                        "rupture_capsulaire", self.yesno_text("rupture_capsulaire", "field")
                    ),
                )
            )
        for lab, fn in lines:
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

    def _int(self, key: str) -> int | None:
        x = self.v.get(key)
        return None if x is None else int(x)

    def layout_paragraph(self) -> None:
        if self.chance(0.5):
            self.t(
                self.pick(("CONCLUSION :\n", "Conclusion\n", "Diagnostic : "))
                if self.fr
                else self.pick(("DIAGNOSIS:\n", "Final diagnosis: ", "IMPRESSION:\n"))
            )
        self.conclusion_paragraph()
        if self.chance(0.3):
            self.t("\n")
            self.technique()
        self.signature()

    def layout_compact(self) -> None:
        """Telegraphic: abbreviations, few verbs, everything on a few lines."""
        fr = self.fr
        if self.known("echantillon"):
            self.val("echantillon", cap(self.surface("echantillon")))
            self.t(
                f" {self.pick(('G', 'D')) if fr else self.pick(('L', 'R'))}"
                if self.chance(0.5)
                else ""
            )
            self.t(self.pick((" : ", " - ", ": ")))
        if self.known("diagnostic"):
            self.val("diagnostic", self.surface("diagnostic"))
            self.t(" ")
        if self.known("grade"):
            self.val("grade", self.grade_text("compact"))
            self.t(", " if self.chance(0.5) else " ")
        if self.known("taille"):
            self.val("taille", self.size_text())
        self.t(". ")
        if self.known("emboles"):
            if self.chance(0.5):
                self.t("Emboles : " if fr else "LVI: ")
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
        fr = self.fr
        self.header()
        if self.chance(0.5):
            self.section(("Renseignements cliniques",), ("Clinical history",))
            self.history()
            self.t("\n\n")
        upper = not fr and self.chance(0.6)
        self.section(
            ("Conclusion", "Diagnostic", "Résultats"),
            ("Diagnosis", "Final pathologic diagnosis", "Final diagnosis"),
        )
        parts: list[Callable[[str], None]] = []
        if self.node_specs:
            self.nodes_done = True
            for spec in self.node_specs:
                parts.append(partial(self.node_part, spec=spec, upper=upper))
        parts.append(partial(self.breast_part, upper=upper))
        if self.chance(0.3):
            parts.reverse()
        tags = self.pick(("letter", "paren", "dot", "word"))
        for i, part in enumerate(parts):
            tag = {
                "letter": "ABCDEFGH"[i] + ". ",
                "paren": f"{i + 1}) ",
                "dot": f"{i + 1}. ",
                "word": f"Prélèvement {i + 1} : " if fr else f"Part {i + 1}: ",
            }[tags]
            part(tag)
            self.t("\n")
        self.rupture_alone("prose")
        self.signature()

    def node_part(self, tag: str, spec: NodeSpecimen, upper: bool) -> None:
        fr = self.fr
        self.t(tag + cap(self.node_kind_label(spec, upper)))
        self.t(
            (" (exérèse) :\n   - " if self.chance(0.3) else " : ")
            if fr
            else (", EXCISION:\n   - " if upper else ", excision: ")
        )
        self.node_counts(spec, spanned=True)
        self.rupture_after(spec)
        self.t(".")

    def breast_part(self, tag: str, upper: bool) -> None:
        fr = self.fr
        bullet = "\n   - "
        if fr:
            self.t(tag + f"Sein {self.side}")
        else:
            self.t(tag + (f"BREAST, {self.side.upper()}" if upper else f"Breast, {self.side}"))
        if self.known("echantillon"):
            self.t(", ")
            s = self.surface("echantillon")
            self.val("echantillon", s.upper() if upper else s)
        self.t(" :" if fr else ":")
        self.t(bullet)
        if any(self.known(k) for k in ("diagnostic", "grade", "taille")):
            self.tumour_sentence()
            self.t(bullet)
        self.dcis()
        if self.known("emboles"):
            self.val("emboles", cap(self.yesno_text("emboles", "prose")))
            self.t("." + bullet)
        if self.known("marges_saines"):
            self.val("marges_saines", cap(self.margin_text("prose")))
            self.t(self.margin_tail() + ".")
        keys = [k for k in ("re", "rp", "her2", "ki67") if self.known(k)]
        if keys:
            self.t(bullet)
            self.ihc_compact_sentence()
        p = self.ptnm() if self.chance(0.5) else ""
        if p:
            self.t(bullet + p)
