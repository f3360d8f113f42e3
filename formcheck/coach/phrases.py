"""Everything the coach says, in each language, in one typed table.

Cue texts come from the engine already translated; these are the coach's own words (counts,
countdowns, routine prompts). Numbers are spelled out so any speech engine says them the same way
and tests can compare words rather than digits.
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.engine.types import Exercise, Side

_EN_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen")
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_DE_ONES = ("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun",
            "zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn",
            "achtzehn", "neunzehn")
_DE_TENS = ("", "", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig",
            "neunzig")


def _number_en(n: int) -> str:
    if n < 20:
        return _EN_ONES[n]
    tens, ones = divmod(n, 10)
    return _EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else "")


def _number_de(n: int) -> str:
    if n < 20:
        return _DE_ONES[n]
    tens, ones = divmod(n, 10)
    if not ones:
        return _DE_TENS[tens]
    unit = "ein" if ones == 1 else _DE_ONES[ones]
    return f"{unit}und{_DE_TENS[tens]}"


@dataclass(frozen=True)
class Phrases:
    """The coach's words for one language; ``{n}``/``{name}`` are filled in by the methods."""

    lang: str
    ready: str
    paused: str
    resumed: str
    switch_legs: str
    set_done: str
    routine_done: str
    rest: str  # "{seconds}"
    next_up: str  # "{what}"
    seconds: str  # "{n}"
    one_second: str
    reps: str  # "{n}"
    top_hold: str  # "{n}"
    leg_forward: dict[Side, str]
    exercises: dict[Exercise, str]

    def number(self, n: int) -> str:
        """``n`` spelled out (0..99); larger numbers as digits, which every engine reads."""
        if not 0 <= n < 100:
            return str(n)
        return _number_de(n) if self.lang == "de" else _number_en(n)

    def count(self, n: int) -> str:
        """A rep count: "one", "two" / "eins", "zwei"."""
        return self.number(n)

    def seconds_left(self, n: int) -> str:
        """A hold or rest milestone: "ten seconds" / "zehn Sekunden"."""
        return self.one_second if n == 1 else self.seconds.format(n=self.number(n))

    def leg_prompt(self, side: Side) -> str:
        """A sentence naming the front leg: "Left leg forward." / "Linkes Bein vorne."."""
        words = self.leg_forward[side]
        return words[:1].upper() + words[1:] + "."  # str.capitalize() would lower-case "Bein"

    def rest_for(self, seconds: int) -> str:
        """Start of a rest: "Rest, thirty seconds."."""
        return self.rest.format(seconds=self.seconds_left(seconds))

    def set_intro(self, exercise: Exercise, side: Side, reps: int | None, hold_s: int | None,
                  top_hold_s: int | None) -> str:
        """What comes next: "Crescent lunge, left leg forward, forty-five seconds."."""
        parts = [self.exercises[exercise]]
        if side in (Side.LEFT, Side.RIGHT):
            parts.append(self.leg_forward[side])
        if reps:
            parts.append(self.reps.format(n=self.number(reps)))
        if hold_s:
            parts.append(self.seconds_left(hold_s))
        if top_hold_s:
            parts.append(self.top_hold.format(n=self.number(top_hold_s)))
        return ", ".join(parts) + "."


PHRASES: dict[str, Phrases] = {
    "en": Phrases(
        lang="en", ready="Ready.", paused="Paused.", resumed="Welcome back.",
        switch_legs="Switch legs.", set_done="Set done.",
        routine_done="Routine complete. Well done!",
        rest="Rest, {seconds}.", next_up="Next: {what}", seconds="{n} seconds", reps="{n} reps",
        one_second="one second",
        top_hold="hold {n} seconds at the top",
        leg_forward={Side.LEFT: "left leg forward", Side.RIGHT: "right leg forward"},
        exercises={Exercise.LUNGE: "Crescent lunge", Exercise.BRIDGE: "Glute bridge",
                   Exercise.UNKNOWN: "Exercise"},
    ),
    "de": Phrases(
        lang="de", ready="Bereit.", paused="Pause.", resumed="Weiter geht's.",
        switch_legs="Bein wechseln.", set_done="Satz geschafft.",
        routine_done="Programm geschafft. Gut gemacht!",
        rest="Pause, {seconds}.", next_up="Als Nächstes: {what}", seconds="{n} Sekunden",
        one_second="eine Sekunde",
        reps="{n} Wiederholungen", top_hold="oben {n} Sekunden halten",
        leg_forward={Side.LEFT: "linkes Bein vorne", Side.RIGHT: "rechtes Bein vorne"},
        exercises={Exercise.LUNGE: "Ausfallschritt", Exercise.BRIDGE: "Beckenheben",
                   Exercise.UNKNOWN: "Übung"},
    ),
}


def phrases_for(lang: str) -> Phrases:
    """The table for ``lang`` ("en" or "de"); raises ``KeyError`` for anything else."""
    return PHRASES[lang]
