using System.Diagnostics;
using k8s;
using k8s.Models;

namespace SegCluster.Deployment.Tests;

/// <summary>
/// An overlay of k8s/ rendered by `kubectl kustomize` (offline; no cluster needed) from a copy of the folder whose
/// git-ignored secrets/*.env are filled from their examples, parsed into the Kubernetes client's models.
/// </summary>
public sealed class RenderedManifests
{
    public string Overlay { get; }
    public IReadOnlyList<IKubernetesObject> Objects { get; }

    private RenderedManifests(string overlay, IReadOnlyList<IKubernetesObject> objects)
    {
        Overlay = overlay;
        Objects = objects;
    }

    public static string RepositoryRoot { get; } = FindRoot();

    public static RenderedManifests Render(string overlay)
    {
        var copy = Path.Combine(Path.GetTempPath(), "segcluster-k8s-" + Guid.NewGuid().ToString("N"));
        CopyDirectory(Path.Combine(RepositoryRoot, "k8s"), copy);
        foreach (var example in Directory.GetFiles(Path.Combine(copy, "base", "secrets"), "*.env.example"))
            File.Copy(example, example[..^".example".Length]);
        var yaml = Kubectl("kustomize", Path.Combine(copy, "overlays", overlay));
        Directory.Delete(copy, recursive: true);
        var objects = KubernetesYaml.LoadAllFromString(yaml).Cast<IKubernetesObject>().ToList();
        return new RenderedManifests(overlay, objects);
    }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Named<T>(string name) where T : IMetadata<V1ObjectMeta> =>
        All<T>().SingleOrDefault(o => o.Metadata.Name == name) ?? throw new Xunit.Sdk.XunitException($"{Overlay}: no {typeof(T).Name} named {name}");

    /// <summary>Every workload's pod template, named by its owner.</summary>
    public IEnumerable<(string Owner, V1PodTemplateSpec Template)> PodTemplates() =>
        All<V1StatefulSet>().Select(s => ($"StatefulSet/{s.Metadata.Name}", s.Spec.Template))
            .Concat(All<V1Deployment>().Select(d => ($"Deployment/{d.Metadata.Name}", d.Spec.Template)))
            .Concat(All<V1Job>().Select(j => ($"Job/{j.Metadata.Name}", j.Spec.Template)));

    public V1Container Container(string statefulSetOrDeployment, string container)
    {
        var template = PodTemplates().Single(t => t.Owner.EndsWith("/" + statefulSetOrDeployment, StringComparison.Ordinal)).Template;
        return template.Spec.Containers.Concat(template.Spec.InitContainers ?? []).Single(c => c.Name == container);
    }

    /// <summary>
    /// A container's environment as the kubelet builds it: envFrom first, then env in order, with $(VAR) expanded
    /// from what is defined before; downward-API fields get the values a pod would have.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment(V1Container container)
    {
        var env = new Dictionary<string, string>();
        foreach (var source in container.EnvFrom ?? [])
        {
            var data = source.ConfigMapRef is { } map ? Named<V1ConfigMap>(map.Name).Data
                : Named<V1Secret>(source.SecretRef.Name).Data.ToDictionary(kv => kv.Key, kv => System.Text.Encoding.UTF8.GetString(kv.Value));
            foreach (var (key, value) in data) env[key] = value;
        }
        foreach (var variable in container.Env ?? [])
        {
            env[variable.Name] = variable.ValueFrom switch
            {
                null => Expand(variable.Value, env),
                { FieldRef.FieldPath: "metadata.name" } => "segcluster-silo-0",
                { FieldRef.FieldPath: "status.podIP" } => "10.1.2.3",
                { ConfigMapKeyRef: { } key } => Named<V1ConfigMap>(key.Name).Data[key.Key],
                { SecretKeyRef: { } key } => System.Text.Encoding.UTF8.GetString(Named<V1Secret>(key.Name).Data[key.Key]),
                _ => throw new Xunit.Sdk.XunitException($"{container.Name}: unsupported valueFrom for {variable.Name}"),
            };
        }
        return env;
    }

    /// <summary>Kubernetes' $(VAR) expansion; an undefined reference fails the test (k8s would pass it on literally).</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> env) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", m =>
            env.TryGetValue(m.Groups[1].Value, out var value) ? value : throw new Xunit.Sdk.XunitException($"$({m.Groups[1].Value}) is not defined before use"));

    private static string Kubectl(params string[] args) => Run("kubectl", args);

    public static string Git(params string[] args) => Run("git", ["-C", RepositoryRoot, .. args]);

    public static string Run(string tool, string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException($"{tool} is not installed (the k8s tests render the overlays with `kubectl kustomize`)", e); }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {error}");
        return output.Result;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var directory in Directory.GetDirectories(from)) CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SegCluster.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (SegCluster.sln) not found above " + AppContext.BaseDirectory);
    }
}
