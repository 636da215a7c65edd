// The string pool (compiler/strings.cc): ids, growth, and the layered pool of a document.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conform/compiler/strings.h"

namespace conform {
namespace {

TEST(StringPool, EqualTextGetsTheSameIdAcrossGrowth) {
  StringPool pool(100);
  std::vector<std::string> texts;
  for (int i = 0; i < 5000; ++i) texts.push_back("s" + std::to_string(i * 7919) + std::string(i % 40, 'x'));
  texts.push_back("");
  texts.push_back(std::string(200000, 'y'));  // longer than any chunk
  std::vector<int64_t> ids;
  for (const auto& t : texts) ids.push_back(pool.Intern(t));
  ASSERT_EQ(pool.size(), texts.size());
  EXPECT_EQ(pool.first_id(), 100);
  EXPECT_EQ(pool.end_id(), 100 + static_cast<int64_t>(texts.size()));
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(ids[i], 100 + static_cast<int64_t>(i));  // ids in order of first interning
    EXPECT_EQ(pool.Intern(texts[i]), ids[i]);
    EXPECT_EQ(pool.Find(texts[i]), ids[i]);
    EXPECT_EQ(pool.Get(ids[i]), texts[i]);
    EXPECT_TRUE(pool.Owns(ids[i]));
  }
  EXPECT_EQ(pool.size(), texts.size());
  EXPECT_EQ(pool.Find("absent"), -1);
  EXPECT_FALSE(pool.Owns(99));
  // Moving the pool keeps every text where it was.
  StringPool moved = std::move(pool);
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(moved.Get(ids[i]), texts[i]);
  EXPECT_EQ(moved.Find(texts[17]), ids[17]);
}

TEST(StringPool, HashSeparatesNearTexts) {
  // Not a quality test: texts differing in one byte at any position, or only in length, hash
  // differently (the table compares text too; this guards the word and tail handling).
  std::string base(33, 'a');
  for (size_t len = 0; len <= base.size(); ++len) {
    std::string t = base.substr(0, len);
    if (len) {
      for (size_t i = 0; i < len; ++i) {
        std::string u = t;
        u[i] = 'b';
        EXPECT_NE(StringPool::Hash(t), StringPool::Hash(u)) << len << " " << i;
      }
    }
    EXPECT_NE(StringPool::Hash(t), StringPool::Hash(t + '\0')) << len;
  }
}

TEST(LayeredStrings, BaseIdsWinAndNewTextGetsLocalIds) {
  StringPool base;
  int64_t a = base.Intern("alpha");
  int64_t b = base.Intern("beta");
  LayeredStrings doc(&base);
  EXPECT_EQ(doc.Intern("beta"), b);
  EXPECT_EQ(doc.Intern("alpha"), a);
  int64_t g = doc.Intern("gamma");
  EXPECT_EQ(g, base.end_id());
  EXPECT_EQ(doc.Intern("gamma"), g);
  EXPECT_EQ(doc.Get(g), "gamma");
  EXPECT_EQ(doc.Get(a), "alpha");
  LayeredStrings alone(nullptr);
  EXPECT_EQ(alone.Intern("x"), 0);
  EXPECT_EQ(alone.Intern("y"), 1);
  EXPECT_EQ(alone.Intern("x"), 0);
}

}  // namespace
}  // namespace conform
