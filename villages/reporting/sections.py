"""What the reporting app shows on the pages of villages (through villages.extensions)."""


def register():
    pass
