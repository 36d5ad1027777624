namespace Rill.Tracking.Hosting;

public static class TopicNames
{
    public const string RiderUpdates = "rider-updates";
    public const string RiderLatest = "rider-latest";
    public const string OrderEvents = "order-events";
}

public static class GroupIds
{
    public const string Customer = "tracking-customer";
    public const string Restaurant = "tracking-restaurant";
    public const string Support = "tracking-support";
    public const string Notifications = "tracking-notifications";
    public const string History = "tracking-history";

    public static readonly IReadOnlyList<string> All = [Customer, Restaurant, Support, Notifications, History];
}
