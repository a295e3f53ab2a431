// The peer that `make bench` measures ssfgraph against: @neo4j/graphql 7 on graphql-yoga, over the
// same Neo4j and the same labels and relationship types as ssfgraph (graph/model's Label* and Rel*
// constants). It covers only what the benchmark reads and writes.
//
//   NEO4J_URI=bolt://127.0.0.1:7697 PORT=4000 node server.mjs
//
// It prints "PEER_READY http://127.0.0.1:PORT/graphql" once it answers.
import { createServer } from "node:http";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { createYoga } from "graphql-yoga";
import neo4j from "neo4j-driver";

const typeDefs = /* GraphQL */ `
  type Target @node(labels: ["Target"]) {
    id: ID!
    name: String!
    analyses: [Analysis!]! @relationship(type: "ANALYZES", direction: IN)
  }
  type Analysis @node(labels: ["Analysis"]) {
    id: ID!
    title: String!
    visibility: String!
    organizationId: String
    notApplicable: [Clause!]! @relationship(type: "NOT_APPLICABLE", direction: OUT, properties: "NotApplicable")
    assessments: [Assessment!]! @relationship(type: "HAS_ASSESSMENT", direction: OUT)
  }
  type NotApplicable @relationshipProperties {
    reason: String!
  }
  type Clause @node(labels: ["Clause"]) {
    id: ID!
    ref: String!
  }
  type Assessment @node(labels: ["Assessment"]) {
    id: ID!
    analysisId: String!
    incidentId: String!
    axis1: Int!
    axis2: Int!
    category: Int!
    rationale: String
    incident: [Incident!]! @relationship(type: "OF", direction: OUT)
    threats: [Threat!]! @relationship(type: "CAUSED_BY", direction: OUT)
    treatments: [Treatment!]! @relationship(type: "TREATED_BY", direction: OUT)
  }
  type Incident @node(labels: ["Incident"]) {
    id: ID!
    name: String!
  }
  type Threat @node(labels: ["Threat"]) {
    id: ID!
    name: String!
  }
  type Treatment @node(labels: ["Treatment"]) {
    id: ID!
    status: String!
    measure: [Measure!]! @relationship(type: "APPLIES", direction: OUT)
  }
  type Measure @node(labels: ["Measure"]) {
    id: ID!
    name: String!
    clauses: [Clause!]! @relationship(type: "SATISFIES", direction: OUT)
  }
`;

const driver = neo4j.driver(process.env.NEO4J_URI || "bolt://127.0.0.1:7687");
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
await driver.verifyConnectivity();
const yoga = createYoga({ schema, graphqlEndpoint: "/graphql", logging: "warn", graphiql: false, landingPage: false });
const server = createServer(yoga);
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT || 4000), "127.0.0.1", () => {
  console.log(`PEER_READY http://127.0.0.1:${server.address().port}/graphql`);
});
const stop = () => server.close(() => driver.close().then(() => process.exit(0)));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
