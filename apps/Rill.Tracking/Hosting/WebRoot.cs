namespace Rill.Tracking.Hosting;

/// <summary>Finds the pages (wwwroot): next to the binary, else the project folder the binary was built from.</summary>
public static class WebRoot
{
    public static string Locate()
    {
        string? dir = AppContext.BaseDirectory;
        for (int i = 0; i < 6 && dir is not null; i++)
        {
            if (Directory.Exists(Path.Combine(dir, "wwwroot")) && (i == 0 || File.Exists(Path.Combine(dir, "Rill.Tracking.csproj"))))
            {
                return Path.Combine(dir, "wwwroot");
            }
            dir = Path.GetDirectoryName(dir.TrimEnd(Path.DirectorySeparatorChar));
        }
        return Path.Combine(AppContext.BaseDirectory, "wwwroot");
    }
}
