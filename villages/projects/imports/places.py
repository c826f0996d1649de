"""Where a project of a 项目库 sheet is: its villages, found by their codes, or by township and village names.

建设地点 is written as counties write it: 东阳镇车辋村, 东阳镇、车辋村, 榆次区东阳镇车辋村, or for a project of several
villages of one township 东阳镇车辋村、北田村; or the file has 乡镇 and 村 columns, or a 村代码 column (codes separated
by 、 for several villages). A name is looked for in the counties whose projects the user may change first, then in
every county of the registry (so that a village of another county is named as such); a name that fits two villages
or two townships is refused with the candidates.
"""

import re

from django.utils.translation import gettext as _

from counties.scope import not_a_county_here
from villages.imports.columns import normalize
from villages.imports.matching import SCIENTIFIC, Registry, strip_suffix, village_keys, withdrawn_text
from villages.models import VILLAGE_CODE_REGEX

SEPARATORS = re.compile(r"[、，,；;/／\s]+")
TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "镇", "乡")


class PlaceProblem(ValueError):
    """The row's place cannot be read; args: (column key, message)."""


class Places:
    def __init__(self, user_counties):
        self.registry = Registry()
        self._by_name = None
        self.user_counties = set(user_counties)
        self.townships_by_key = {}  # name key -> {township code}
        for code, (name, _county) in self.registry.townships.items():
            for key in {normalize(name), strip_suffix(name, TOWNSHIP_SUFFIXES)}:
                self.townships_by_key.setdefault(key, set()).add(code)
        self.longest_township = max(map(len, self.townships_by_key), default=0)
        self.county_prefixes = sorted(
            {key for key in self.registry.county_lookup if not key.isdigit() and len(key) > 1}, key=len, reverse=True
        )

    def county_name(self, code):
        return self.registry.counties[code]

    def township_name(self, code):
        return self.registry.townships[code][0]

    # --- By code --------------------------------------------------------------------------------------------------

    def by_codes(self, text):
        villages = []
        for code in SEPARATORS.split(text.strip()):
            if not code:
                continue
            if SCIENTIFIC.match(code):
                raise PlaceProblem(
                    "code",
                    _(
                        "%(value)s is a code that Excel shortened to scientific notation: its last digits are lost. "
                        "Format the column as text before typing or pasting the 12-digit codes, then enter them again."
                    )
                    % {"value": code},
                )
            if not re.match(VILLAGE_CODE_REGEX, code):
                raise PlaceProblem("code", _("%(value)s is not a village code (12 digits)") % {"value": code})
            village = self.registry.by_code.get(code)
            if village is None:
                raise PlaceProblem("code", _("no village with code %(code)s in the registry") % {"code": code})
            if village["withdrawn_at"] is not None:
                raise PlaceProblem("code", withdrawn_text(village))
            villages.append(village)
        return villages

    # --- By name --------------------------------------------------------------------------------------------------

    def counties_of(self, text):
        codes = self.registry.county_codes(text)
        if not codes:
            raise PlaceProblem("county", not_a_county_here(text))
        return codes

    def townships_named(self, name, counties):
        key = normalize(name)
        codes = self.townships_by_key.get(key, set()) | self.townships_by_key.get(
            strip_suffix(name, TOWNSHIP_SUFFIXES), set()
        )
        return {code for code in codes if counties is None or code[:6] in counties}

    def split_township(self, token, counties):
        """(township codes, rest) where the token starts with a township's name, else (set(), token)."""
        for length in range(min(len(token), self.longest_township), 0, -1):
            codes = self.townships_named(token[:length], counties)
            if codes and (length == len(token) or not token[length:].startswith(TOWNSHIP_SUFFIXES)):
                return codes, token[length:]
        return set(), token

    def by_place(self, text, counties=None, column="place"):
        """The villages of 建设地点 (one township)."""
        value = normalize(text)
        for prefix in self.county_prefixes:
            if value.startswith(prefix) and len(value) > len(prefix):
                counties = self.registry.county_lookup[prefix] & (counties or self.registry.county_lookup[prefix])
                value = value[len(prefix) :].lstrip("、，,")
                break
        tokens = [token for token in SEPARATORS.split(value) if token]
        if not tokens:
            raise PlaceProblem(column, _("the place is empty"))
        return self.find(tokens, counties, column, text)

    def by_names(self, township, villages, counties=None):
        """The villages of the 乡镇 and 村 columns."""
        tokens = [token for token in SEPARATORS.split(normalize(villages)) if token]
        if not tokens:
            raise PlaceProblem("village", _("name the village"))
        if not township:
            return self.find(tokens, counties, "village", villages)
        townships = self.townships_in(township, counties, "township")
        return self.villages_of(townships, tokens, "village")

    def townships_in(self, name, counties, column):
        for scope in self.scopes(counties):
            codes = self.townships_named(name, scope)
            if codes:
                if len(codes) > 1:
                    raise PlaceProblem(
                        column,
                        _("%(name)s is the name of %(count)d townships: %(candidates)s; give the village code (村代码)")
                        % {
                            "name": name,
                            "count": len(codes),
                            "candidates": "、".join(
                                f"{self.township_name(code)} ({self.county_name(code[:6])})" for code in sorted(codes)
                            ),
                        },
                    )
                return codes
        raise PlaceProblem(column, _("no township called %(name)s") % {"name": name})

    def scopes(self, counties):
        """The counties to look in, narrowest first: the given ones; else the user's, then every county."""
        if counties is not None:
            return [counties]
        return [self.user_counties, None] if self.user_counties else [None]

    def find(self, tokens, counties, column, text):
        first = tokens[0]
        for scope in self.scopes(counties):
            townships, rest = self.split_township(first, scope)
            if townships:
                if len(townships) > 1:
                    self.townships_in(first[: len(first) - len(rest)], scope, column)  # raises with the candidates
                names = ([rest] if rest else []) + tokens[1:]
                if not names:
                    raise PlaceProblem(
                        column,
                        _("%(place)s names a township but no village; a project belongs to villages") % {"place": text},
                    )
                return self.villages_of(townships, names, column, scope)
        # No township: village names alone, each looked for in the counties.
        return self.villages_of(None, tokens, column, counties)

    def villages_of(self, townships, names, column, counties=None):
        found = []
        for name in names:
            for scope in [counties] if townships else self.scopes(counties):
                candidates = self.named(name, townships, scope)
                if candidates:
                    break
            if not candidates:
                where = self.township_name(next(iter(townships))) if townships else _("the registry")
                raise PlaceProblem(column, _("%(place)s has no village %(name)s") % {"place": where, "name": name})
            if len(candidates) > 1:
                raise PlaceProblem(
                    column,
                    _("%(count)d villages are called %(name)s: %(candidates)s; give the township or the village code")
                    % {
                        "count": len(candidates),
                        "name": name,
                        "candidates": "、".join(
                            f"{v['name']} ({v['code']}, {self.county_name(v['county_id'])}"
                            f"{self.township_name(v['township_id'])})"
                            for v in candidates
                        ),
                    },
                )
            found.append(candidates[0])
        return found

    @property
    def by_name(self):
        """name key -> [villages], built when a row without codes first needs it."""
        if self._by_name is None:
            self._by_name = {}
            for village in self.registry.by_code.values():
                if village["withdrawn_at"] is None:
                    for key in village_keys(village):
                        self._by_name.setdefault(key, []).append(village)
        return self._by_name

    def named(self, name, townships, counties):
        found = {}
        for key in village_keys({"name": name, "short_name": name}):
            for village in self.by_name.get(key, []):
                if townships and village["township_id"] not in townships:
                    continue
                if counties is not None and village["county_id"] not in counties:
                    continue
                found[village["code"]] = village
        return [found[code] for code in sorted(found)]
