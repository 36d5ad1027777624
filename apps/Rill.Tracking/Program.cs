using Rill.Tracking.Hosting;

TrackingOptions options;
try
{
    options = TrackingOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

await using TrackingApp app = await TrackingApp.StartAsync(options, cancellationToken: stop.Token);
Console.WriteLine(app.Banner());
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
Console.WriteLine("stopping");
return 0;
