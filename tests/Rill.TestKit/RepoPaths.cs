namespace Rill.TestKit;

public static class RepoPaths
{
    /// <summary>The repository root: the first parent of the test binaries that holds Rill.slnx.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rill.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Rill.slnx not found above " + AppContext.BaseDirectory);
    }
}
