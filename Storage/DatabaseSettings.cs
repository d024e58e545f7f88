namespace SegCluster.Storage;

/// <summary>Where the connection string comes from: configuration key, then the environment.</summary>
public static class DatabaseSettings
{
    /// <summary>Configuration key (appsettings "ConnectionStrings:SegCluster") and environment variable.</summary>
    public const string ConnectionStringName = "SegCluster";
    public const string EnvironmentVariable = "SEGCLUSTER_DB";

    /// <summary>The connection string from the given value, else SEGCLUSTER_DB, else a clear error.</summary>
    public static string Resolve(string? configured)
    {
        var value = string.IsNullOrWhiteSpace(configured) ? Environment.GetEnvironmentVariable(EnvironmentVariable) : configured;
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidOperationException(
                $"No database configured: set ConnectionStrings:{ConnectionStringName} or the {EnvironmentVariable} environment variable " +
                "(./segcluster sets it for its project-local PostgreSQL).");
        return value;
    }
}
