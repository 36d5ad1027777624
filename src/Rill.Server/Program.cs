using Rill.Server;

return await CommandLine.RunAsync(args).ConfigureAwait(false);
