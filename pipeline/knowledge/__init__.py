"""What the stages know: gazetteers built from data packages, the per-language lexicons,
spaCy pipelines; built once per process and passed to the stages as
`pipeline.knowledge.resources.Resources`."""
