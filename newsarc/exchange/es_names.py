"""Name search in an Elasticsearch/OpenSearch cluster as newsarc does it: what the es-bulk export adds for names.

A cluster's own analyzers do not know that al-Bukamal, al-Bokamal and Abu Kamal are one town, or that Aleppo,
Halep, حلب and Алеппо are one place. So each exported document carries, under FIELD, the two lists newsarc's
index matches names on, computed by the index's own functions (the search backend's document_name_keys; for
Whoosh, newsarc.index.analysis):

- words: its words folded as written (al-Bukamal: al, bukamal, albukamal; Şam: sam): the index's `plain` field,
  where a search matches a name's other spellings;
- places: the gazetteer ids of the places it names, in any spelling (as text): the index's `places` field.

`newsarc search --keys QUERY` gives the same two lists for the names a query searches, as a `terms` query for the
cluster: the spellings of each name that this archive holds and newsarc's variant rules accept (read from the
index's variant keys, as a search reads them), the inflections of its own spelling, the members of its alias
groups, and the places it names. An article shares a key with the query exactly when `newsarc search` finds it
for those names. The words, not the variant keys themselves: the keys hold only the words an article writes as
a name (not after a quote or at a sentence start, not Beckhams for Beckham), and matching on them missed 1 to 5%
of what a search finds (BBC corpus: Chelsea 64 of 67 articles, Blair 172 of 173, Beckham 11 of 12).

es_mapping() (newsarc.exchange.export) declares both lists as keyword fields (mapping_properties) and carries the
archive's alias groups as a synonym_graph filter of the search analyzer of title and body (alias_analysis), so
that a plain text query in the cluster finds every member of an alias group too. A synonym filter besides the
keys: alias groups are the one part of name matching that needs no index to apply (the user wrote them), and a
cluster user who types words into a text query, not through `newsarc search --keys`, gets them as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from newsarc.errors import BadInputError

if TYPE_CHECKING:
    from newsarc.index.backend import NameKeys

FIELD = "newsarc"  # the object of each exported document that holds its name keys and places
WORDS_FIELD = f"{FIELD}.words"
PLACES_FIELD = f"{FIELD}.places"
WORD_LIMIT = 256  # characters: longer words are kept in _source, not indexed
SEARCH_ANALYZER = "newsarc_english_aliases"  # title/body at search time: English, with the alias groups
SYNONYM_FILTER = "newsarc_aliases"


def document_names(article: Mapping[str, Any], keys: NameKeys) -> dict[str, list[str]]:
    """The FIELD object of one exported article, from its name keys (the search backend's document_name_keys:
    exactly the terms the index holds for it in `plain` and `places`)."""
    if FIELD in article:
        raise BadInputError(f"article {article.get('id') or article.get('title')!r} has a field {FIELD!r}, which "
                            "es-bulk keeps for the name keys; rename that field before exporting")
    return {"words": list(keys.words), "places": [str(place) for place in keys.places]}


def is_document_names(value: Any) -> bool:
    """Whether a field value read back from an es-bulk file is a FIELD object this module wrote (import drops it:
    it is derived from the article, not part of it)."""
    return isinstance(value, dict) and set(value) == {"words", "places"}


def mapping_properties() -> dict[str, Any]:
    """The mapping of FIELD: both lists are keywords, matched whole. A word longer than any name (a run of
    characters without a space) is left out of the cluster's index rather than fail the document (Lucene refuses
    a term over 32,766 bytes)."""
    return {FIELD: {"properties": {"words": {"type": "keyword", "ignore_above": WORD_LIMIT},
                                   "places": {"type": "keyword"}}}}


def alias_analysis(groups: Iterable[Iterable[str]]) -> dict[str, Any] | None:
    """The index settings' `analysis` that search title and body with the alias groups as synonyms, or None when
    there are none. The analyzer is Elasticsearch's built-in `english` rebuilt from its parts (its documented
    recipe, without the keyword marker) with a synonym_graph filter after lowercasing; used at search time only,
    as synonym_graph must be, so that an edit of the groups needs a new mapping, not a new index."""
    rules = [", ".join(_synonym_text(member) for member in group) for group in groups]
    rules = [rule for rule in rules if rule]
    if not rules:
        return None
    return {
        "filter": {
            SYNONYM_FILTER: {"type": "synonym_graph", "synonyms": rules, "lenient": True},
            "newsarc_english_stop": {"type": "stop", "stopwords": "_english_"},
            "newsarc_english_stemmer": {"type": "stemmer", "language": "english"},
            "newsarc_english_possessive": {"type": "stemmer", "language": "possessive_english"},
        },
        "analyzer": {
            SEARCH_ANALYZER: {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["newsarc_english_possessive", "lowercase", SYNONYM_FILTER, "newsarc_english_stop",
                           "newsarc_english_stemmer"],
            },
        },
    }


def _synonym_text(member: str) -> str:
    """One alias member as a term of a Solr-format synonym rule: lower case, with the rule's own syntax (, => \\)
    escaped so that a member cannot split or redirect the rule."""
    text = " ".join(member.split()).lower()
    return "".join("\\" + ch if ch in ",=>\\" else ch for ch in text)


def cluster_query(keys: NameKeys) -> dict[str, Any]:
    """The search body that finds, in an index loaded from an es-bulk export, the articles sharing a name key or
    a place with `keys` (`newsarc search --keys`)."""
    should: list[dict[str, Any]] = []
    if keys.words:
        should.append({"terms": {WORDS_FIELD: list(keys.words)}})
    if keys.places:
        should.append({"terms": {PLACES_FIELD: [str(place) for place in keys.places]}})
    return {"query": {"bool": {"should": should, "minimum_should_match": 1}}}
