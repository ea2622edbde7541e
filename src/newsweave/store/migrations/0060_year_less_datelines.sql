-- Articles whose date may come from a year-less dateline ("Kuala Lumpur, Oct 31"): a dateline
-- and no date, or a year inferred from evidence. The reuse stage revises their year once
-- families are known (reuse/_years.py); this partial index lets it find them without
-- reading every article's text. The WHERE must stay the same as reuse._years._MAYBE_YEAR_LESS.
CREATE INDEX articles_year_less ON articles(id)
    WHERE dateline IS NOT NULL AND (published IS NULL OR json_extract(provenance, '$.published_year') IS NOT NULL);
