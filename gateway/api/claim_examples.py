"""Recorded answers of POST /v1/claims/institutional and /v1/claims/dental to their request
examples (fixture data), shown as the operations' OpenAPI response examples.

Kept here rather than in ``examples.json`` so they do not depend on a re-run of
``bench.openapi_examples``; an operation's own example wins over a recorded one.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DENTAL_ANSWER", "INSTITUTIONAL_ANSWER", "answer"]

INSTITUTIONAL_ANSWER: dict[str, Any] = {
    "id": 7,
    "transactionSetId": 1,
    "status": "parsed",
    "acknowledgments": {
        "x12": "ISA*00*          *00*          *ZZ*77001          *ZZ*X12GW          *261206*1109*^*00501*000000001*0*P*:~GS*FA*77001*X12GW*20261206*1109*2*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*1*005010X223A2~AK2*837*000000002*005010X223A2~IK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*2~GS*HN*77001*X12GW*20261206*1109*3*X*005010X214~ST*277*0001*005010X214~BHT*0085*08*1000000002*20261206*1109*TH~HL*1**20*1~NM1*AY*2*X12 GATEWAY*****46*77001~TRN*1*1000000002~DTP*050*D8*20261206~DTP*009*D8*20261206~HL*2*1*21*1~NM1*41*2*Maple Billing*****46*ETIN4402~TRN*2*000000002~STC*A1:19:PR*20261206*WQ*1200~QTY*90*1~AMT*YU*1200~HL*3*2*19*1~NM1*85*2*Maple General Hospital*****XX*1999999984~TRN*1*1000000002-1~QTY*QA*1~AMT*YU*1200~HL*4*3*PT~NM1*QC*1*Doe*Jane****MI*NWH00012345~TRN*2*PCN-I-0001~STC*A2:20:PR*20261206*WQ*1200~REF*1K*100000000200100001~DTP*472*D8*20240201~SE*25*0001~GE*1*3~IEA*2*000000001~",
        "interchangeControlNumber": "000000001",
        "ta1": None,
        "functionalGroups": [
            {
                "groupControlNumber": "1",
                "transactionSets": [{"controlNumber": "000000002", "type": "837", "status": "A"}],
                "accepted": 1,
                "received": 1,
            }
        ],
        "claims": {"accepted": 1, "rejected": 0},
    },
    "x12": "ISA*00*          *00*          *ZZ*X12GW          *ZZ*77001          *261206*1109*^*00501*000000001*0*P*:~GS*HC*X12GW*77001*20261206*1109*1*X*005010X223A2~ST*837*000000002*005010X223A2~BHT*0019*00*000000002*20261206*1109*CH~NM1*41*2*Maple Billing*****46*ETIN4402~PER*IC*Billing Office*TE*5555550100~NM1*40*2*Northwind Health*****46*77001~HL*1**20*1~PRV*BI*PXC*282N00000X~NM1*85*2*Maple General Hospital*****XX*1999999984~N3*1 Maple St~N4*Springfield*IL*627011234~REF*EI*123456789~HL*2*1*22*0~SBR*P*18*G12345******CI~NM1*IL*1*Doe*Jane****MI*NWH00012345~N3*9 Elm St~N4*Springfield*IL*62701~DMG*D8*19800412*F~NM1*PR*2*Northwind Health*****PI*77001~CLM*PCN-I-0001*1200***13:A:1**A*Y*Y~DTP*434*RD8*20240201-20240201~CL1*1*7*01~HI*ABK:J189:::::::Y~HI*ABF:E119:::::::Y~NM1*71*1*Thistlewood*Quincy****XX*1999999992~PRV*AT*PXC*207RH0000X~LX*1~SV2*0450*HC:99284:25*1200*UN*1~DTP*472*D8*20240201~REF*6R*LN0001-1~SE*30*000000002~GE*1*1~IEA*1*000000001~",
}

DENTAL_ANSWER: dict[str, Any] = {
    "id": 18,
    "transactionSetId": 2,
    "status": "parsed",
    "acknowledgments": {
        "x12": "ISA*00*          *00*          *ZZ*77001          *ZZ*X12GW          *261206*1109*^*00501*000000004*0*P*:~GS*FA*77001*X12GW*20261206*1109*5*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*2*005010X224A2~AK2*837*000000003*005010X224A2~IK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*5~GS*HN*77001*X12GW*20261206*1109*6*X*005010X214~ST*277*0001*005010X214~BHT*0085*08*2000000003*20261206*1109*TH~HL*1**20*1~NM1*AY*2*X12 GATEWAY*****46*77001~TRN*1*2000000003~DTP*050*D8*20261206~DTP*009*D8*20261206~HL*2*1*21*1~NM1*41*2*Maple Billing*****46*ETIN4402~TRN*2*000000003~STC*A1:19:PR*20261206*WQ*195~QTY*90*1~AMT*YU*195~HL*3*2*19*1~NM1*85*2*Maple Street Dental*****XX*1999999984~TRN*1*2000000003-1~QTY*QA*1~AMT*YU*195~HL*4*3*PT~NM1*QC*1*Doe*Jane****MI*NWH00012345~TRN*2*PCN-D-0001~STC*A2:20:PR*20261206*WQ*195~REF*1K*200000000300100001~DTP*472*D8*20240201~SE*25*0001~GE*1*6~IEA*2*000000004~",
        "interchangeControlNumber": "000000002",
        "ta1": None,
        "functionalGroups": [
            {
                "groupControlNumber": "2",
                "transactionSets": [{"controlNumber": "000000003", "type": "837", "status": "A"}],
                "accepted": 1,
                "received": 1,
            }
        ],
        "claims": {"accepted": 1, "rejected": 0},
    },
    "x12": "ISA*00*          *00*          *ZZ*X12GW          *ZZ*77001          *261206*1109*^*00501*000000002*0*P*:~GS*HC*X12GW*77001*20261206*1109*2*X*005010X224A2~ST*837*000000003*005010X224A2~BHT*0019*00*000000003*20261206*1109*CH~NM1*41*2*Maple Billing*****46*ETIN4402~PER*IC*Billing Office*TE*5555550100~NM1*40*2*Northwind Health*****46*77001~HL*1**20*1~PRV*BI*PXC*1223G0001X~NM1*85*2*Maple Street Dental*****XX*1999999984~N3*1 Maple St~N4*Springfield*IL*627011234~REF*EI*123456789~HL*2*1*22*0~SBR*P*18*G12345******CI~NM1*IL*1*Doe*Jane****MI*NWH00012345~N3*9 Elm St~N4*Springfield*IL*62701~DMG*D8*19800412*F~NM1*PR*2*Northwind Health*****PI*77001~CLM*PCN-D-0001*195***11:B:1*Y*A*Y*Y~HI*ABK:K0262~LX*1~SV3*AD:D2392*195****1*****1~TOO*JP*3*M:O~DTP*472*D8*20240201~REF*6R*LN-D-0001~SE*26*000000003~GE*1*2~IEA*1*000000002~",
}


def answer(example: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` argument of a route whose 200 answer is ``example``."""
    return {200: {"content": {"application/json": {"example": example}}}}
