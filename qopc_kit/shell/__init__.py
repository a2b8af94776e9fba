"""The ``acopc`` language: parsing, running and formatting commands, scenario scripts,
IPython magics, the ``qopc`` command line and the scenario library."""
