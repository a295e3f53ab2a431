// Package ingest will load analysis documents and public catalogs (STIX 2.1,
// OSCAL, CSV crosswalks, CISO Assistant libraries) into the graph, as
// parse → transform → load steps. It is empty until the ingest issue lands;
// see ../../shared/DESIGN.md §7.
package ingest
