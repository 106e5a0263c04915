"""The user interface for people: HTML pages in English and Thai over the library's answers
(coverage, criteria, gaps), with their own templates, static files and translations."""
