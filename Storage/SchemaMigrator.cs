using System.Reflection;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;

namespace SegCluster.Storage;

/// <summary>
/// Applies the versioned SQL scripts under Migrations/ (Orleans' ADO.NET schema and SegCluster's results tables).
/// DbUp records applied scripts in its journal table, so applying twice changes nothing.
/// </summary>
public static class SchemaMigrator
{
    public sealed record Outcome(IReadOnlyList<string> AppliedScripts);

    public static Outcome Apply(string connectionString, TextWriter? log = null)
    {
        EnsureDatabase.For.PostgresqlDatabase(connectionString, new NullLog());
        DatabaseUpgradeResult result = Upgrader(connectionString, log).PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException(
                $"Schema migration failed in script '{result.ErrorScript?.Name ?? "?"}': {result.Error?.Message}", result.Error);
        return new Outcome(result.Scripts.Select(s => ScriptName(s.Name)).ToList());
    }

    /// <summary>Whether every script is applied (what silos wait for while the migration Job runs); changes nothing.</summary>
    public static bool IsCurrent(string connectionString) => !Upgrader(connectionString, null).IsUpgradeRequired();

    private static UpgradeEngine Upgrader(string connectionString, TextWriter? log) =>
        DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.Contains(".Migrations.", StringComparison.Ordinal))
            .WithTransactionPerScript()
            // Scripts contain $body$ dollar quotes, which DbUp would otherwise take for $variables$.
            .WithVariablesDisabled()
            .LogTo(log is null ? new NullLog() : new WriterLog(log))
            .Build();

    /// <summary>The migration script names in the order they apply, e.g. "0002_orleans_clustering".</summary>
    public static IReadOnlyList<string> KnownScripts() =>
        Assembly.GetExecutingAssembly().GetManifestResourceNames()
            .Where(n => n.Contains(".Migrations.", StringComparison.Ordinal))
            .Select(ScriptName).Order(StringComparer.Ordinal).ToList();

    private static string ScriptName(string resourceName)
    {
        var withoutExtension = resourceName.EndsWith(".sql", StringComparison.Ordinal) ? resourceName[..^4] : resourceName;
        return withoutExtension[(withoutExtension.LastIndexOf('.') + 1)..];
    }

    private sealed class NullLog : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        public void LogInformation(string format, params object[] args) { }
        public void LogWarning(string format, params object[] args) { }
        public void LogError(string format, params object[] args) { }
        public void LogError(Exception ex, string format, params object[] args) { }
    }

    private sealed class WriterLog(TextWriter writer) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        public void LogInformation(string format, params object[] args) => writer.WriteLine(format, args);
        public void LogWarning(string format, params object[] args) => writer.WriteLine("warning: " + format, args);
        public void LogError(string format, params object[] args) => writer.WriteLine("error: " + format, args);
        public void LogError(Exception ex, string format, params object[] args) => writer.WriteLine("error: " + format + " " + ex.Message, args);
    }
}
