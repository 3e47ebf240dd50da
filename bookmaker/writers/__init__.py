"""Writers: one module per output format, each exposing ``write(book, dest, options)``.

A writer knows its output and nothing about input formats; it only reads the model. Shared HTML
rendering lives in xhtml.py so the EPUB and print writers set the same text the same way.
"""
