using SegCluster.Contracts;
using System.Text.Json;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using SegCluster.Dashboard.Components.Shared;
using SegCluster.Experiment;

namespace SegCluster.Dashboard.Tests;

/// <summary>Components rendered by bUnit, without a server or browser.</summary>
public sealed class ComponentTests : BunitContext
{
    public ComponentTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Fact]
    public void Report_table_view_shows_every_cell_its_note_and_the_three_export_links()
    {
        var table = new ReportTable("Table 1: meanIoU %", ["method", "meanIoU"], [["oslsm", "40.1"], ["1-nn", "30.2"]], "Ours: generated data.");
        var view = Render<ReportTableView>(p => p.Add(v => v.Table, table).Add(v => v.Id, "table1").Add(v => v.Source, RunLabels.Source("run a")).Add(v => v.ExportName, "table1"));

        var cells = view.FindAll("#table1 tbody td").Select(td => td.TextContent).ToList();
        Assert.Equal(["oslsm", "40.1", "1-nn", "30.2"], cells);
        Assert.Equal(["method", "meanIoU"], view.FindAll("#table1 thead th").Select(th => th.TextContent));
        Assert.Contains("Ours: generated data.", view.Markup);
        Assert.Equal("export/run%20a/table1.csv", view.Find("#table1-csv").GetAttribute("href"));
        Assert.Equal("export/run%20a/table1.tex", view.Find("#table1-tex").GetAttribute("href"));
        Assert.NotNull(view.Find("#table1-md").GetAttribute("download"));
    }

    [Fact]
    public void Report_table_view_without_an_export_name_offers_no_export()
    {
        var table = new ReportTable("t", ["a"], [["1"]], "n");
        var view = Render<ReportTableView>(p => p.Add(v => v.Table, table).Add(v => v.Id, "t"));
        Assert.Empty(view.FindAll("#t-csv"));
    }

    [Fact]
    public void Launch_form_turns_its_fields_into_the_run_config_and_names_a_bad_field()
    {
        var form = new LaunchForm
        {
            [RunSettings.RunId] = " r1 ", [RunSettings.Voc] = "/data/VOCdevkit", [RunSettings.Folds] = "0, 2", [RunSettings.Shots] = "1 5",
            [RunSettings.Preset] = "tiny", [RunSettings.Iterations] = "30", [RunSettings.Loss] = "mean", [RunSettings.Seed] = "9",
            [RunSettings.BaseIterations] = "",
        };
        form.Toggle(RunSettings.Methods, "1-nn", on: true);
        var config = form.ToConfig();
        Assert.Equal("r1", config.RunId);
        Assert.Equal([0, 2], config.Folds);
        Assert.Equal([1, 5], config.Shots);
        Assert.Equal([Method.Oslsm, Method.NearestNeighbour], config.Methods);     // the catalog's order
        Assert.Equal(30, config.BaseIterations);            // empty: the iterations, as the CLI's default
        Assert.Equal(LossReduction.Mean, config.Loss);
        Assert.Equal(9UL, config.Seed);
        Assert.Null(config.Sbd);
        Assert.Equal(OslsmPreset.Tiny.QuerySize, config.QuerySize);
        Assert.StartsWith("web-", new LaunchForm().ToConfig().RunId);

        Assert.Contains("shots: 'five' is not an integer", Assert.Throws<RunSettingException>(() => new LaunchForm { [RunSettings.Shots] = "1,five" }.ToConfig()).Message);
        Assert.Contains("seed: a non-negative integer", Assert.Throws<RunSettingException>(() => new LaunchForm { [RunSettings.Seed] = "-1" }.ToConfig()).Message);
        var unknownPreset = new LaunchForm { [RunSettings.Voc] = "/data/VOCdevkit", [RunSettings.Preset] = "resnet" }.ToConfig();
        Assert.Contains("preset: known presets are", Assert.Throws<ArgumentException>(() => RunConfigValidator.Validate(unknownPreset, [], checkPaths: false)).Message);
    }

    [Fact]
    public void The_launch_form_left_as_it_is_gives_the_paper_protocol()
    {
        var config = new LaunchForm { [RunSettings.RunId] = "paper" }.ToConfig();
        Assert.Equal(JsonSerializer.Serialize(RunSettings.PaperProtocol with { RunId = "paper" }), JsonSerializer.Serialize(config));
    }
}
