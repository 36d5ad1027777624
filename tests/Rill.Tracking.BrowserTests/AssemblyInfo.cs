// One app and one browser at a time: the machine has 2 cores and each collection starts its own app.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
