using System.Reflection;
using System.Xml.Linq;

namespace SegCluster.Deployment.Tests;

/// <summary>The images' Dockerfiles: multi-stage, non-root, the right backend, and every project they build copied.
/// (Not built here: no docker on these machines.)</summary>
public sealed class DockerfileTests
{
    [Theory]
    [InlineData("segcluster-silo", "Cli/Cli.csproj")]
    [InlineData("segcluster-dashboard", "Dashboard/Dashboard.csproj")]
    public void Each_image_builds_its_project_in_a_separate_stage_and_runs_as_a_non_root_user(string image, string project)
    {
        var dockerfile = Dockerfiles.Named(image);
        Assert.True(dockerfile.Stages.Count >= 2, $"{dockerfile.Path}: not multi-stage");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", dockerfile.Stages[0]);
        Assert.Matches(@"(?m)^USER\s+(?!0\b|root\b)\S+", dockerfile.FinalStage);
        Assert.DoesNotContain("dotnet/sdk", dockerfile.FinalStage);

        // Restore and build need every project the published one references, and the build's shared files.
        foreach (var csproj in Dockerfiles.ProjectClosure(project))
        {
            Assert.Contains(csproj, dockerfile.CopiedSources);
            Assert.Contains(Path.GetDirectoryName(csproj) + "/", dockerfile.CopiedSources);
        }
        foreach (var shared in new[] { "global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "build/" })
            Assert.Contains(shared, dockerfile.CopiedSources);
        Assert.Contains($"dotnet publish {project}", dockerfile.Text);

        // The entry point runs the assembly the project builds.
        var assembly = XDocument.Load(Path.Combine(RenderedManifests.RepositoryRoot, project)).Descendants("AssemblyName").Single().Value;
        var entry = image == "segcluster-silo"
            ? File.ReadAllText(Path.Combine(RenderedManifests.RepositoryRoot, "docker", "segcluster-cli.sh"))
            : dockerfile.FinalStage;
        Assert.Contains($"/app/{assembly}.dll", entry);
    }

    [Fact]
    public void The_silo_image_builds_the_cuda_backend_on_a_cuda_runtime_by_default()
    {
        var silo = Dockerfiles.Named("segcluster-silo");
        Assert.Equal("cuda", silo.Arg("TORCH_BACKEND"));
        Assert.StartsWith("nvidia/cuda:", silo.Arg("RUNTIME_IMAGE"));
        Assert.Contains("-p:TorchBackend=${TORCH_BACKEND}", silo.Text);
        Assert.Equal("${RUNTIME_IMAGE}", silo.Stages[^1]);
        Assert.Contains("EXPOSE 11111 30000", silo.FinalStage);
        // The same huge-page allocator setting ./segcluster exports (TorchRuntime.HugePageAllocations reads it).
        Assert.Matches(@"GLIBC_TUNABLES=glibc\.malloc\.hugetlb=1", silo.FinalStage);
    }

    [Fact]
    public void The_dashboard_references_no_torch_and_publishes_without_it()
    {
        var closure = Dockerfiles.ProjectClosure("Dashboard/Dashboard.csproj");
        Assert.DoesNotContain("Grains/Grains.csproj", closure);
        Assert.DoesNotContain("Learning/Learning.csproj", closure);
        var dashboard = Dockerfiles.Named("segcluster-dashboard");
        Assert.DoesNotContain(dashboard.CopiedSources, s => s.StartsWith("Learning/") || s.StartsWith("Grains/"));

        // Published from the build the suite runs on, so what ships is what was tested.
        var configuration = typeof(DockerfileTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var output = Directory.CreateTempSubdirectory("segcluster-dashboard-publish-").FullName;
        try
        {
            RenderedManifests.Run("dotnet", ["publish", Path.Combine(RenderedManifests.RepositoryRoot, "Dashboard", "Dashboard.csproj"),
                "-c", configuration, "--no-build", "-nologo", "-o", output]);
            var files = Directory.GetFiles(output, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
            Assert.Contains("SegCluster.Dashboard.dll", files);
            Assert.Contains("SegCluster.Experiment.dll", files);
            Assert.DoesNotContain(files, f => f!.Contains("torch", StringComparison.OrdinalIgnoreCase) || f.StartsWith("SegCluster.Learning") || f.StartsWith("SegCluster.Grains"));
        }
        finally { Directory.Delete(output, recursive: true); }
    }

    [Fact]
    public void Build_context_leaves_out_outputs_local_state_and_secrets()
    {
        var ignored = File.ReadAllLines(Path.Combine(RenderedManifests.RepositoryRoot, ".dockerignore"));
        foreach (var pattern in new[] { "**/bin/", "**/obj/", ".segcluster/", ".git/", "k8s/base/secrets/*.env" })
            Assert.Contains(pattern, ignored);
    }
}
