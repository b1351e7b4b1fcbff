"""The reports: one module per report kind, with one public function per section.

A template in ``notebooks/`` opens its report once and then calls the section
functions in the order of the report's outline, for example::

    from finsam.reports import forbund as report

    rep = report.open_report(forbund, year, data_dir, settings)
    display(*report.summary(rep))
    for ind in report.indicators(rep):
        display(*report.indicator_section(rep, ind))

Each section function returns a list of displayable objects (Markdown, HTML
tables, figures), so a researcher can add a cell that reuses any of them.

Modules
-------
common
    The :class:`~finsam.reports.common.Report` base, the notice and the "Om siffrorna" text.
catview, method, funnel
    Catalogue look-ups, the method paragraphs, and funnel plots shared by two reports.
forbund, riket, indikator
    The three report kinds.
checks
    The templates' stored check output (nbval reference copies).
"""
