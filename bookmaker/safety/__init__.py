"""Everything that stands between a stranger's file and the machine: zip and XML limits, HTML
sanitising, the asset policy (what an input may reference), and safe output files.

Readers and writers call these; nothing here knows any input or output format.
"""
