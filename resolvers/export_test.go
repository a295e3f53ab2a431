package resolvers

// FeedbackTopic is the bus topic of feedbackAdded, for tests that wait until
// a subscription has registered.
const FeedbackTopic = feedbackTopic
