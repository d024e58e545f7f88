-- Orleans' ADO.NET providers read every statement they run from this table, by query key.
-- Contract (table, column, query-key and parameter names, result columns) from dotnet/orleans
-- src/AdoNet/Shared/PostgreSQL-Main.sql (MIT licence, (c) .NET Foundation); SQL written for SegCluster.
CREATE TABLE OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);
