using Rill.Tracking.Simulator;
using Rill.Tracking.Simulator.LoadTest;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};
try
{
    var cl = new CommandLine(args);
    return cl.Command switch
    {
        "simulate" => await SimulateCommand.RunAsync(cl, cts.Token),
        "loadtest" => await LoadTestCommand.RunAsync(cl, cts.Token),
        _ => throw new ArgumentException($"Unknown command '{cl.Command}': simulate or loadtest."),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("""
        usage:
          simulate --app URL [--operator-key KEY] [--riders N] [--rate HZ] [--seed N] [--city-seed N] [--time-scale X] [--duration D] [--watch N]
          loadtest --app URL [--operator-key KEY] [--postgres CONNSTR] [--phases count,sustained,database] [--updates N]
                   [--duration D] [--riders N] [--rate HZ] [--report FILE] [--img-dir DIR] ...   (see bench/tracking/README.md)
        """);
    return 2;
}
