"""What a run is asked to do: build options, bookmaker.toml, themes and the build timestamp.

Resolved once per run into a render context (see ``bookmaker.convert``) and handed to every writer.
"""
