using SegCluster.Client;
using System.CommandLine;
using k8s.Models;
using Npgsql;
using SegCluster.Dashboard;
using SegCluster.Cli;
using SegCluster.Storage;

namespace SegCluster.Deployment.Tests;

/// <summary>
/// Both overlays render, parse into the Kubernetes models and hang together: selectors, references, environment,
/// ports and command lines agree with each other and with what the apps read. (Not deployed: no cluster here.)
/// </summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => new() { "gpu", "cpu" };

    private static readonly Dictionary<string, RenderedManifests> Rendered = [];

    private static RenderedManifests Render(string overlay)
    {
        lock (Rendered) return Rendered.TryGetValue(overlay, out var r) ? r : Rendered[overlay] = RenderedManifests.Render(overlay);
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Selectors_match_their_pods_and_services_reach_named_ports(string overlay)
    {
        var m = Render(overlay);
        Assert.All(m.Objects, o => Assert.Equal("segcluster", o is V1Namespace ? "segcluster" : ((IMetadata<V1ObjectMeta>)o).Metadata.NamespaceProperty));
        foreach (var set in m.All<V1StatefulSet>()) AssertSelects(set.Spec.Selector.MatchLabels, set.Spec.Template, $"StatefulSet/{set.Metadata.Name}");
        foreach (var deployment in m.All<V1Deployment>()) AssertSelects(deployment.Spec.Selector.MatchLabels, deployment.Spec.Template, $"Deployment/{deployment.Metadata.Name}");

        foreach (var service in m.All<V1Service>())
        {
            var pods = m.PodTemplates().Where(t => Selects(service.Spec.Selector, t.Template)).ToList();
            Assert.True(pods.Count == 1, $"Service/{service.Metadata.Name} selects {pods.Count} workloads");
            var ports = pods[0].Template.Spec.Containers.SelectMany(c => c.Ports ?? []).ToList();
            foreach (var port in service.Spec.Ports)
                Assert.Contains(ports, p => p.Name == port.TargetPort.Value || p.ContainerPort.ToString() == port.TargetPort.Value);
        }
        var budget = m.Named<V1PodDisruptionBudget>("segcluster-silo");
        Assert.True(Selects(budget.Spec.Selector.MatchLabels, m.Named<V1StatefulSet>("segcluster-silo").Spec.Template));
        Assert.Equal("segcluster-silo", m.Named<V1StatefulSet>("segcluster-silo").Spec.ServiceName);
        Assert.Equal("None", m.Named<V1Service>("segcluster-silo").Spec.ClusterIP);
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_referenced_secret_config_map_claim_volume_and_service_account_exists(string overlay)
    {
        var m = Render(overlay);
        foreach (var (owner, template) in m.PodTemplates())
        {
            var spec = template.Spec;
            if (spec.ServiceAccountName is { } account) m.Named<V1ServiceAccount>(account);
            var claimTemplates = m.All<V1StatefulSet>().Where(s => owner == $"StatefulSet/{s.Metadata.Name}")
                .SelectMany(s => s.Spec.VolumeClaimTemplates ?? []).Select(c => c.Metadata.Name).ToList();
            var volumes = (spec.Volumes ?? []).Select(v => v.Name).Concat(claimTemplates).ToList();
            foreach (var volume in spec.Volumes ?? [])
                if (volume.PersistentVolumeClaim is { } claim) m.Named<V1PersistentVolumeClaim>(claim.ClaimName);
            foreach (var container in spec.Containers.Concat(spec.InitContainers ?? []))
            {
                foreach (var mount in container.VolumeMounts ?? []) Assert.Contains(mount.Name, volumes);
                // Resolving the environment looks up every envFrom source and every key reference.
                var env = m.Environment(container);
                Assert.NotEmpty(env);
                foreach (var arg in container.Args ?? []) RenderedManifests.Expand(arg, env);
            }
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Silo_command_line_parses_and_agrees_with_ports_volumes_and_devices(string overlay)
    {
        var m = Render(overlay);
        var silo = m.Container("segcluster-silo", "silo");
        var env = m.Environment(silo);
        var parse = SegClusterCli.Create().Parse(silo.Args.Select(a => RenderedManifests.Expand(a, env)).ToArray());
        Assert.Empty(parse.Errors);
        Assert.Equal("silo", parse.CommandResult.Command.Name);
        Assert.Equal("segcluster-silo-0", parse.GetValue<string>("--name"));
        Assert.Equal("10.1.2.3", parse.GetValue<string>("--advertise"));

        var ports = silo.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        Assert.Equal(ClusterSettings.DefaultSiloPort, ports["silo"]);
        Assert.Equal(ClusterSettings.DefaultGatewayPort, ports["gateway"]);
        Assert.Equal(ports["silo"], parse.GetValue<int>("--port"));
        Assert.Equal(ports["gateway"], parse.GetValue<int>("--gateway"));
        Assert.Contains(silo.LivenessProbe.TcpSocket.Port.Value, ports.Keys);
        Assert.Contains(silo.ReadinessProbe.TcpSocket.Port.Value, ports.Keys);

        // Checkpoints on the shared read-write-many claim at the same path on every silo; data mounted read-only.
        var spec = m.Named<V1StatefulSet>("segcluster-silo").Spec.Template.Spec;
        var checkpointMount = silo.VolumeMounts.Single(v => v.MountPath == parse.GetValue<DirectoryInfo>("--checkpoints")!.FullName);
        var checkpointClaim = m.Named<V1PersistentVolumeClaim>(spec.Volumes.Single(v => v.Name == checkpointMount.Name).PersistentVolumeClaim.ClaimName);
        Assert.Contains("ReadWriteMany", checkpointClaim.Spec.AccessModes);
        var dataRoot = Assert.Single(parse.GetValue<DirectoryInfo[]>("--data-root")!);
        Assert.True(silo.VolumeMounts.Single(v => v.MountPath == dataRoot.FullName).ReadOnlyProperty);

        Assert.Equal([overlay == "gpu" ? "cuda:0" : "cpu:0"], parse.GetValue<string[]>("--devices")!);
        Assert.True(spec.TerminationGracePeriodSeconds > SegClusterCli.ProcessTerminationTimeout.TotalSeconds);
        Assert.Equal("segcluster-silo", spec.ServiceAccountName);
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_app_container_reaches_the_postgres_service_with_its_credentials(string overlay)
    {
        var m = Render(overlay);
        var postgres = m.Container("segcluster-postgres", "postgres");
        var postgresEnv = m.Environment(postgres);
        var service = m.Named<V1Service>("segcluster-postgres");
        var key = "ConnectionStrings__" + DatabaseSettings.ConnectionStringName;
        var appContainers = m.PodTemplates().Where(t => !t.Owner.EndsWith("/segcluster-postgres", StringComparison.Ordinal))
            .SelectMany(t => t.Template.Spec.Containers.Concat(t.Template.Spec.InitContainers ?? [])).Where(c => c.Name != "gpu-check").ToList();
        Assert.Equal(5, appContainers.Count);   // migrate job; silo and its init; dashboard and its init (gpu-check needs no database)
        foreach (var container in appContainers)
        {
            var connection = new NpgsqlConnectionStringBuilder(m.Environment(container)[key]);
            Assert.Equal(service.Metadata.Name, connection.Host);
            Assert.Equal(service.Spec.Ports.Single().Port, connection.Port);
            Assert.Equal(postgresEnv["POSTGRES_DB"], connection.Database);
            Assert.Equal(postgresEnv["POSTGRES_USER"], connection.Username);
            Assert.Equal(postgresEnv["POSTGRES_PASSWORD"], connection.Password);
        }

        // Init containers and the Job run CLI commands that exist: wait for the schema, apply it.
        foreach (var args in new[] { m.Container("segcluster-silo", "wait-for-schema").Args, m.Container("segcluster-dashboard", "wait-for-schema").Args,
                     m.All<V1Job>().Single().Spec.Template.Spec.Containers.Single().Args })
            Assert.Empty(SegClusterCli.Create().Parse(args.ToArray()).Errors);
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Dashboard_listens_on_its_container_port_with_the_admin_secret_it_needs_there(string overlay)
    {
        var m = Render(overlay);
        var dashboard = m.Container("segcluster-dashboard", "dashboard");
        var env = m.Environment(dashboard);
        var url = new Uri(env["ASPNETCORE_URLS"]);
        Assert.Equal(dashboard.Ports.Single(p => p.Name == "http").ContainerPort, url.Port);
        Assert.Equal("/healthz", dashboard.ReadinessProbe.HttpGet.Path);
        // A non-loopback bind starts only with the secret; the one the Secret provides is accepted.
        Assert.Throws<InvalidOperationException>(() => DashboardApp.Build(["--urls", url.ToString()], "Host=unused"));
        var app = DashboardApp.Build(["--urls", url.ToString(), "--Dashboard:AdminSecret", env["Dashboard__AdminSecret"]], "Host=unused");
        Assert.NotNull(app);
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Images_are_the_ones_the_dockerfiles_build(string overlay)
    {
        var m = Render(overlay);
        var built = Dockerfiles.All().ToDictionary(d => d.Title);
        foreach (var container in m.PodTemplates().SelectMany(t => t.Template.Spec.Containers.Concat(t.Template.Spec.InitContainers ?? [])))
        {
            var (name, tag) = (container.Image.Split(':')[0], container.Image.Split(':').ElementAtOrDefault(1));
            if (name.StartsWith("postgres", StringComparison.Ordinal)) continue;
            Assert.True(built.ContainsKey(name), $"{container.Name}: image {name} is not built by docker/*.Dockerfile");
            if (name == "segcluster-silo") Assert.Equal(overlay == "gpu" ? "cuda" : "cpu", tag);   // TORCH_BACKEND of the build
        }
    }

    [Fact]
    public void Only_the_gpu_overlay_requests_gpus_and_spreads_silos_over_gpu_nodes()
    {
        var gpu = Render("gpu").Named<V1StatefulSet>("segcluster-silo").Spec;
        Assert.Equal(4, gpu.Replicas);
        var limits = gpu.Template.Spec.Containers.Single(c => c.Name == "silo").Resources.Limits;
        Assert.Equal(new ResourceQuantity("1"), limits["nvidia.com/gpu"]);
        Assert.Contains(gpu.Template.Spec.Tolerations, t => t.Key == "nvidia.com/gpu");
        Assert.NotEmpty(gpu.Template.Spec.NodeSelector);
        var spread = Assert.Single(gpu.Template.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal("kubernetes.io/hostname", spread.TopologyKey);
        Assert.True(Selects(spread.LabelSelector.MatchLabels, gpu.Template));

        // Each GPU silo's pod checks the GPUs it gets against the CPU before the silo starts (no --devices: all it sees).
        var check = gpu.Template.Spec.InitContainers.Single(c => c.Name == "gpu-check");
        var parse = SegClusterCli.Create().Parse(check.Args.Select(a => RenderedManifests.Expand(a, Render("gpu").Environment(check))).ToArray());
        Assert.Empty(parse.Errors);
        Assert.Equal("gpu-check", parse.CommandResult.Command.Name);
        Assert.DoesNotContain("--devices", check.Args);
        Assert.Equal(new ResourceQuantity("1"), check.Resources.Limits["nvidia.com/gpu"]);

        var cpu = Render("cpu");
        Assert.DoesNotContain(cpu.PodTemplates().SelectMany(t => t.Template.Spec.Containers),
            c => (c.Resources?.Limits?.ContainsKey("nvidia.com/gpu") ?? false) || (c.Resources?.Requests?.ContainsKey("nvidia.com/gpu") ?? false));
        Assert.Null(cpu.Named<V1StatefulSet>("segcluster-silo").Spec.Template.Spec.Affinity);
        Assert.DoesNotContain(cpu.PodTemplates().SelectMany(t => t.Template.Spec.InitContainers ?? []), c => c.Name == "gpu-check");
    }

    [Fact]
    public void No_secret_value_is_committed()
    {
        // Only the *.env.example placeholders are tracked; users' *.env files are ignored.
        var tracked = RenderedManifests.Git("ls-files", "k8s/base/secrets").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(tracked);
        Assert.All(tracked, f => Assert.EndsWith(".env.example", f));
        Assert.All(tracked, f => Assert.Contains("replace-with", File.ReadAllText(Path.Combine(RenderedManifests.RepositoryRoot, f))));
        Assert.Contains("k8s/base/secrets/*.env", File.ReadAllText(Path.Combine(RenderedManifests.RepositoryRoot, ".gitignore")));
    }

    private static bool Selects(IDictionary<string, string>? selector, V1PodTemplateSpec template) =>
        selector is { Count: > 0 } && selector.All(kv => template.Metadata.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static void AssertSelects(IDictionary<string, string> selector, V1PodTemplateSpec template, string owner) =>
        Assert.True(Selects(selector, template), $"{owner}: selector does not match its pod labels");
}
