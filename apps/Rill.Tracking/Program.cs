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

var stop = new CancellationTokenSource();
var stopped = new ManualResetEventSlim();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) =>
{
    stop.Cancel();
    stopped.Wait(TimeSpan.FromSeconds(20)); // SIGTERM: finish the graceful stop before the process ends
};

try
{
    await using TrackingApp app = await TrackingApp.StartAsync(options, cancellationToken: stop.Token);
    Console.WriteLine(app.Banner());
    // the host's console lifetime turns SIGINT/SIGTERM into ApplicationStopping
    app.Service<IHostApplicationLifetime>().ApplicationStopping.Register(stop.Cancel);
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
    }
    Console.WriteLine("stopping");
}
finally
{
    stopped.Set();
}
return 0;
