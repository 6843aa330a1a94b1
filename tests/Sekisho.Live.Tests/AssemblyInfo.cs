// The control tests set SEKISHO_RUN_DIR and SEKISHO_CONFIG, which are process-wide: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
