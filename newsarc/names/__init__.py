"""Names however they are spelled: folding, transliteration variants, aliases, contractions."""
