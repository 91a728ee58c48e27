"""CoNLL / IOB readers: registered here."""
