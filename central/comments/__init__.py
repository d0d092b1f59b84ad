"""Comment analysis on central: sentiment, topics, junk and No Copy evidence per rating
comment (masked before it is stored, see ``protocol.pii``), and the comments page."""
