"""The web pages' parts that need no web framework: labels, page addresses, the Jinja2 environment, the
relationship diagram and timeline of a document, and the highlighting of citations in a text."""
