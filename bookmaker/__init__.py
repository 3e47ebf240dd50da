"""bookmaker: fan fiction manuscripts into books (EPUB, PDF, zines).

The library does everything the command line does: ``bookmaker.convert.load(path)`` gives the
document model, ``bookmaker.convert.build(...)`` writes books.
"""

__version__ = "0.1.0"
