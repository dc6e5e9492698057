// Test classes run one after another: Hangfire installs process-wide statics (JobActivator.Current, its log
// provider) tied to the host that registered them, so two WebApplicationFactory hosts alive at once in this
// process would trample each other, and a disposed host breaks Hangfire for the next one.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
