"""One example question of each type, for the downloadable template in both languages."""

from __future__ import annotations

from lms.content.questionbank.model import BankQuestion, Wording


def template_questions(english: bool = False) -> list[BankQuestion]:
    if english:
        return [
            BankQuestion("single", Wording("Does opening a Taobao shop cost a fee?",
                                           ["Yes, every year", "No, it is free"],
                                           feedback="Opening is free; promotion and deposits are extra."), [1]),
            BankQuestion("multiple", Wording("What affects search ranking? (choose all that apply)",
                                             ["Keywords in the title", "Sales and reviews", "The owner's age"],
                                             feedback="The platform looks at the product and buyers."), [0, 1]),
            BankQuestion("true_false", Wording("Bad reviews must never be answered.", answer="false",
                                               feedback="A polite public reply shows other buyers you care.")),
            BankQuestion("short", Wording("What is Taobao's chat tool called?", answer="Wangwang | 旺旺",
                                          feedback="Buyers ask questions there.")),
            BankQuestion("numeric", Wording("Cost 30 yuan, price 50 yuan: what is the margin in yuan?",
                                            answer="20 ± 0.5 元", feedback="50 − 30 = 20 yuan.")),
        ]
    return [
        BankQuestion("single", Wording("注册淘宝店铺要交钱吗？", ["要，每年交一笔费用", "不要，注册是免费的"],
                                       feedback="注册本身免费；推广、保证金等另算。"), [1], points=2, difficulty="易"),
        BankQuestion("multiple", Wording("哪些因素会影响商品在搜索里的排名？（多选）",
                                         ["标题里的关键词", "销量和评价", "店主的年龄"],
                                         feedback="平台看商品和买家的反应，不看店主是谁。"), [0, 1], points=3,
                     difficulty="中"),
        BankQuestion("true_false", Wording("差评一定不能回复。", answer="false",
                                           feedback="礼貌地公开回复，别的买家会看到你的诚意。"), points=1),
        BankQuestion("short", Wording("淘宝的聊天工具叫什么？", answer="旺旺 | 阿里旺旺 | Wangwang",
                                      feedback="买家在旺旺上问问题。")),
        BankQuestion("numeric", Wording("进价 30 元，售价 50 元，毛利是多少元？", answer="20 ± 0.5 元",
                                        feedback="50 − 30 = 20 元。")),
    ]
